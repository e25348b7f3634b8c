"""Baseline for bench/series.ts: Python's standard library reading the same
messages from one mbox, taking what the series reader needs of each: Subject,
Message-ID, In-Reply-To, References and the decoded text/plain body.

The default is the fastest way the standard library offers: the whole file
read into memory, split on its "From " separator lines (undoing mboxrd's
">From " escaping), each message parsed from bytes with email's compat32
policy (no header objects built). `--mailbox` measures the usual way,
mailbox.mbox with policy.default, for comparison. Prints one JSON line with
its own timing."""
import email
import email.policy
import json
import mailbox
import re
import resource
import sys
import time

ESCAPED = re.compile(rb"^>(>*From )", re.M)


def is_separator(line: bytes) -> bool:
    """A "From " line that ends with a year, as public-inbox and git format-patch write it."""
    line = line.rstrip(b" \r")
    return len(line) >= 10 and line[-4:].isdigit() and line[-5:-4] == b" "


def split_mbox(data: bytes) -> list[bytes]:
    """The messages of an mboxrd file, found with bytes.find (the fastest search Python has)."""
    seps = []  # (start of the "From " line, start of the message)
    at = 0 if data.startswith(b"From ") else data.find(b"\nFrom ") + 1 or -1
    while at >= 0:
        eol = data.find(b"\n", at)
        eol = len(data) if eol < 0 else eol
        if is_separator(data[at:eol]):
            seps.append((at, eol + 1))
        nxt = data.find(b"\nFrom ", eol)
        at = nxt + 1 if nxt >= 0 else -1
    out = []
    for i, (_, start) in enumerate(seps):
        end = seps[i + 1][0] if i + 1 < len(seps) else len(data)
        body = data[start:end]
        # The blank line after each message belongs to the separator.
        if body.endswith(b"\n\n"):
            body = body[:-1]
        out.append(ESCAPED.sub(rb"\1", body) if b">From " in body else body)
    return out


def plain_text(msg) -> str:
    """The first text/plain part, decoded with its charset, as compat32 offers it."""
    for part in msg.walk():
        if part.get_content_type() == "text/plain" and not part.is_multipart():
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset() or "utf-8"
            try:
                return payload.decode(charset, errors="replace")
            except LookupError:  # an unknown charset label: read as UTF-8, as the TS reader does
                return payload.decode("utf-8", errors="replace")
    return ""


def fields(msg) -> tuple:
    return (msg["subject"], msg["message-id"], msg["in-reply-to"], msg["references"])


def read_compat32(path: str) -> tuple[int, int, int]:
    with open(path, "rb") as f:
        data = f.read()
    messages = errors = chars = 0
    for raw in split_mbox(data):
        try:
            msg = email.message_from_bytes(raw, policy=email.policy.compat32)
            text = plain_text(msg)
            chars += len(text) + sum(len(str(v)) for v in fields(msg) if v is not None)
            messages += 1
        except Exception:  # unreadable structure: count it, as the TS reader does
            errors += 1
    return messages, errors, chars


def read_mailbox(path: str) -> tuple[int, int, int]:
    box = mailbox.mbox(path, factory=lambda f: email.message_from_binary_file(f, policy=email.policy.default), create=False)
    messages = errors = chars = 0
    for msg in box:
        try:
            part = msg.get_body(preferencelist=("plain",))
            text = part.get_content() if part is not None else ""
            chars += len(text) + sum(len(str(v)) for v in fields(msg) if v is not None)
            messages += 1
        except Exception:
            errors += 1
    return messages, errors, chars


def main(argv: list[str]) -> None:
    path = [a for a in argv if not a.startswith("--")][0]
    how = "mailbox" if "--mailbox" in argv else "compat32"
    started = time.perf_counter()
    messages, errors, chars = (read_mailbox if how == "mailbox" else read_compat32)(path)
    ms = (time.perf_counter() - started) * 1000
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"how": how, "ms": round(ms), "messages": messages, "errors": errors, "chars": chars, "maxrss_kb": rss_kb}))


if __name__ == "__main__":
    main(sys.argv[1:])
