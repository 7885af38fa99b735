//! The listener: accepts TCP connections and serves each with hyper's HTTP/1.1, bounded so a
//! caller cannot make the server hold what it likes. At most [`Limits::max_connections`]
//! connections are served at once (past it a new one is closed at once, and the kernel's
//! backlog waits); each must send a request's headers within `header_timeout`, which also
//! ends a keep-alive connection idle that long; and shutting down stops accepting, lets
//! requests in flight finish for a few seconds, then closes the rest.
//!
//! A connection the server ends while its client may still be sending (a body refused as too
//! large before it was read) closes lingering: the server stops writing, then reads and drops
//! what still comes for at most [`LINGER`]. Closing a socket with unread bytes makes the kernel
//! send a reset, which can destroy the answer before the client reads it.
//!
//! [`Limits::max_connections`]: crate::Limits::max_connections

use axum::{Router, body::Body, extract::ConnectInfo};
use hyper::{body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::{future::poll_fn, sync::Arc, time::Duration};
use tokio::{
    io::{AsyncReadExt as _, AsyncWriteExt as _},
    net::{TcpListener, TcpStream},
    sync::{Semaphore, watch},
};
use tower::ServiceExt as _;

/// How long requests in flight get to finish at shutdown.
const DRAIN: Duration = Duration::from_secs(5);

/// How long a closing connection reads what its client still sends. The connection keeps its
/// place among `max_connections` meanwhile, so lingering cannot open the bound.
const LINGER: Duration = Duration::from_secs(5);

/// Serves `app` on `listener` until `stop` resolves.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    max_connections: usize,
    header_timeout: Duration,
    stop: impl std::future::Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(max_connections));
    let (stopping, stop_signal) = watch::channel(false);
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a moment, keep serving.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            tracing::warn!(peer = %peer, max_connections, "connection refused: too many open");
            drop(stream);
            continue;
        };
        let app = app.clone();
        let stop_signal = stop_signal.clone();
        tokio::spawn(async move {
            serve_connection(stream, peer, app, header_timeout, stop_signal).await;
            drop(permit);
        });
    }
    drop(listener);
    // Tell every connection to finish its request in flight and close, and wait for them (each
    // gives back its permit) for at most DRAIN.
    let _ = stopping.send(true);
    let every_place = u32::try_from(max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(DRAIN, permits.acquire_many(every_place)).await;
}

/// Serves one connection until it ends, then closes it lingering.
async fn serve_connection(
    stream: TcpStream,
    peer: std::net::SocketAddr,
    app: Router,
    header_timeout: Duration,
    mut stop_signal: watch::Receiver<bool>,
) {
    let service = service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        // Boxed so the connection is `Unpin` and can give its socket back when it ends.
        Box::pin(app.clone().oneshot(request.map(Body::new)))
    });
    let mut connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), service);
    let served = tokio::select! {
        served = poll_fn(|cx| connection.poll_without_shutdown(cx)) => served,
        () = async { drop(stop_signal.wait_for(|stopping| *stopping).await) } => {
            std::pin::Pin::new(&mut connection).graceful_shutdown();
            poll_fn(|cx| connection.poll_without_shutdown(cx)).await
        }
    };
    // A connection that broke or timed out is the client's business: it is dropped. One that
    // ended cleanly may still have a body on its way in.
    if served.is_ok() {
        linger(connection.into_parts().io.into_inner()).await;
    }
}

/// Stops writing (the client sees the answer end), then drops what the client still sends
/// until it closes, for at most [`LINGER`].
async fn linger(mut stream: TcpStream) {
    if stream.shutdown().await.is_err() {
        return;
    }
    let mut sink = [0u8; 16 * 1024];
    let _ = tokio::time::timeout(LINGER, async {
        while matches!(stream.read(&mut sink).await, Ok(read) if read > 0) {}
    })
    .await;
}
