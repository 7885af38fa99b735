"""Taint check of compiled x86-64 functions, for the IFMA kernel's constant-time gate.

Reads `objdump -d -M intel --no-show-raw-insn -C` output on stdin and checks every function
whose name contains the pattern given as argv[1]. A general-purpose register is tainted
(may hold secret data) once it is loaded from memory other than the read-only constants
addressed from rip, moved out of a vector or mask register, or computed from a tainted
register; the functions' secret register arguments start tainted. The flags are tainted
when the instruction that last set them read a tainted register. The data flow follows the
function's branches to a fixed point.

A finding is:
- a conditional jump, or an indirect jump or call, on tainted flags or a tainted register
  (a branch that depends on a secret);
- a memory operand whose base or index register is tainted (an address that depends on a
  secret);
- a division with a tainted operand (its time depends on the operands).

Vector registers are not tracked: the kernel keeps secrets there, and vector instructions
neither branch nor compute addresses from their lanes (gathers and scatters would, and are
findings: their addresses come from vector lanes).
"""

import re
import sys

FAMILIES = {}
for base in ["ax", "bx", "cx", "dx"]:
    for name in ["r" + base, "e" + base, base, base[0] + "l", base[0] + "h"]:
        FAMILIES[name] = "r" + base
for base in ["si", "di", "bp", "sp"]:
    for name in ["r" + base, "e" + base, base, base + "l"]:
        FAMILIES[name] = "r" + base
for n in range(8, 16):
    for suffix in ["", "d", "w", "b"]:
        FAMILIES[f"r{n}{suffix}"] = f"r{n}"

# System V: which argument registers hold secrets at entry, by function name suffix. The
# table scans take the secret index as their last argument (after the return slot, the
# table's pointer and its length).
SECRET_ARGS = {
    "select_wide": {"rcx"},
    "select_entry": {"rcx"},
    ">::select": {"rcx"},
    ">::select_comb": {"rcx"},
}

NO_DEST = {"cmp", "test", "bt", "push", "call", "ret", "jmp", "nop", "endbr64", "ud2",
           "int3", "xchg"}
FLAG_SETTERS = {"add", "sub", "and", "or", "xor", "adc", "sbb", "imul", "mul", "shl", "shr",
                "sar", "shld", "shrd", "rol", "ror", "neg", "inc", "dec", "cmp", "test", "bt",
                "popcnt", "lzcnt", "tzcnt", "bsf", "bsr", "adcx", "adox"}
MOVES = {"mov", "movabs", "movzx", "movsx", "movsxd", "lea", "pop"}
GATHER = re.compile(r"^v(p?gather|p?scatter)")


def family(token):
    return FAMILIES.get(token.strip())


def split_operands(text):
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def registers_in(text):
    return {f for f in (family(t) for t in re.findall(r"[a-z0-9]+", text)) if f}


class Insn:
    def __init__(self, addr, mnemonic, operands, text):
        self.addr, self.mnemonic, self.operands, self.text = addr, mnemonic, operands, text


def parse(lines, pattern):
    functions, current = {}, None
    head = re.compile(r"^([0-9a-f]+) <(.*)>:$")
    body = re.compile(r"^\s+([0-9a-f]+):\s+(.*)$")
    for line in lines:
        line = line.rstrip("\n")
        m = head.match(line)
        if m:
            current = m.group(2) if pattern in m.group(2) else None
            if current:
                functions[current] = []
            continue
        m = body.match(line)
        if not (m and current):
            continue
        text = re.sub(r"\s+#.*$", "", m.group(2)).strip()
        text = re.sub(r"^(rep[a-z]*|lock|notrack|bnd|data16|cs|ds)\s+", "", text)
        parts = text.split(None, 1)
        if not parts:
            continue
        operands = split_operands(parts[1]) if len(parts) > 1 else []
        functions[current].append(Insn(int(m.group(1), 16), parts[0], operands, text))
    return functions


def secrets_at_entry(name):
    for suffix, regs in SECRET_ARGS.items():
        if name.endswith(suffix):
            return set(regs)
    return set()


def check(name, insns):
    findings = []
    index = {insn.addr: i for i, insn in enumerate(insns)}
    start = (frozenset(secrets_at_entry(name)), False)
    states = {0: start}
    work = [0]
    seen_findings = set()

    def report(insn, why):
        key = (insn.addr, why)
        if key not in seen_findings:
            seen_findings.add(key)
            findings.append(f"{name}+{insn.addr - insns[0].addr:#x}: {insn.text}: {why}")

    while work:
        i = work.pop()
        tainted, flags = set(states[i][0]), states[i][1]
        insn = insns[i]
        mn, ops = insn.mnemonic, insn.operands
        memory = [op for op in ops if "[" in op]
        source_regs = set()
        for op in ops[1:] if ops else []:
            source_regs |= registers_in(op) if "[" not in op else set()
        # Addresses: every memory access but lea's (which computes, not reads) and nop's.
        if mn != "lea" and not mn.startswith("nop"):
            for op in memory:
                bad = registers_in(op[op.index("["):]) & tainted
                if bad:
                    report(insn, f"address from tainted {sorted(bad)}")
        if GATHER.match(mn):
            report(insn, "gather/scatter: addresses from vector lanes")
        loads_secret = any("[" in op and "rip" not in op for op in ops[1:]) or (
            mn in {"pop"})
        dest = family(ops[0]) if ops and "[" not in ops[0] else None
        vector_source = any(re.match(r"^[xyz]mm\d+$|^k\d$", op) for op in ops[1:])
        successors = []
        nxt = i + 1
        operand_taint = bool((source_regs | ({dest} if dest else set())) & tainted)

        if mn.startswith("j"):
            target = None
            if ops and re.match(r"^[0-9a-f]+ <", ops[0]):
                target = index.get(int(ops[0].split()[0], 16))
            if mn == "jmp":
                if ops and not re.match(r"^[0-9a-f]+ <", ops[0]):
                    if registers_in(ops[0]) & tainted:
                        report(insn, "indirect jump through a tainted register")
                if target is not None:
                    successors.append(target)
            else:
                if flags:
                    report(insn, "conditional jump on tainted flags")
                if target is not None:
                    successors.append(target)
                successors.append(nxt)
        elif mn == "ret":
            pass
        else:
            successors.append(nxt)
            if mn == "call":
                if ops and "<" not in ops[0] and registers_in(ops[0]) & tainted:
                    report(insn, "indirect call through a tainted register")
                # The callee may return secrets in any caller-saved register.
                tainted |= {"rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"}
                flags = True
            elif mn in ("div", "idiv"):
                if (registers_in(" ".join(ops)) | {"rax", "rdx"}) & tainted or loads_secret:
                    report(insn, "division of tainted operands")
                tainted |= {"rax", "rdx"}
            elif mn in ("mul",) or (mn == "imul" and len(ops) == 1):
                t = bool((registers_in(" ".join(ops)) | {"rax"}) & tainted) or any("[" in o for o in ops)
                for r in ("rax", "rdx"):
                    (tainted.add if t else tainted.discard)(r)
                flags = t
            elif mn in ("cqo", "cdq", "cdqe", "cwde"):
                t = "rax" in tainted
                target_reg = "rax" if mn in ("cdqe", "cwde") else "rdx"
                (tainted.add if t else tainted.discard)(target_reg)
            elif dest and mn in ("xor", "sub", "sbb") and len(ops) == 2 and family(ops[1]) == dest:
                tainted.discard(dest)
                flags = False
            elif mn in NO_DEST or mn.startswith("nop"):
                if mn in FLAG_SETTERS:
                    flags = bool(registers_in(" ".join(o for o in ops if "[" not in o)) & tainted) or any(
                        "[" in o and "rip" not in o for o in ops)
            elif mn.startswith("set"):
                if dest:
                    (tainted.add if flags else tainted.discard)(dest)
            elif mn.startswith("cmov"):
                if dest and (flags or operand_taint or loads_secret):
                    tainted.add(dest)
            elif dest:
                if mn in MOVES:
                    t = bool(source_regs & tainted) if mn != "lea" else bool(registers_in(ops[1]) & tainted)
                    t = t or (loads_secret and mn != "lea")
                elif mn.startswith(("v", "k")) or vector_source:
                    t = True  # out of a vector or mask register
                elif len(ops) >= 3 and mn == "imul":
                    t = bool(source_regs & tainted) or loads_secret
                else:
                    t = operand_taint or loads_secret
                (tainted.add if t else tainted.discard)(dest)
                if mn in FLAG_SETTERS:
                    flags = t
        state = (frozenset(tainted), flags)
        for s in successors:
            if s >= len(insns):
                continue
            old = states.get(s)
            new = state if old is None else (old[0] | state[0], old[1] or state[1])
            if new != old:
                states[s] = new
                work.append(s)
    return findings


def main():
    pattern = sys.argv[1]
    functions = parse(sys.stdin, pattern)
    if not functions:
        print(f"ifma-check: no function matching {pattern!r} in the disassembly", file=sys.stderr)
        sys.exit(2)
    total = 0
    for name, insns in sorted(functions.items()):
        findings = check(name, insns)
        total += len(findings)
        verdict = "clean" if not findings else f"{len(findings)} finding(s)"
        print(f"  {name}: {len(insns)} instructions, {verdict}")
        for f in findings:
            print(f"    {f}")
    sys.exit(1 if total else 0)


main()
