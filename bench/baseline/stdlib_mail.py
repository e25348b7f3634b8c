"""Baseline for bench/series.ts: Python's standard library reading the same
messages from one mbox with mailbox + email (policy.default), taking what the
series reader needs of each: subject, Message-ID, In-Reply-To, References and
the plain-text body. Prints one JSON line with its own timing."""
import email
import email.policy
import json
import mailbox
import resource
import sys
import time


def main(path: str) -> None:
    started = time.perf_counter()
    box = mailbox.mbox(path, factory=lambda f: email.message_from_binary_file(f, policy=email.policy.default), create=False)
    messages = errors = chars = 0
    for msg in box:
        try:
            fields = (msg["subject"], msg["message-id"], msg["in-reply-to"], msg["references"])
            part = msg.get_body(preferencelist=("plain",))
            text = part.get_content() if part is not None else ""
            chars += len(text) + sum(len(str(f)) for f in fields if f is not None)
            messages += 1
        except Exception:  # unreadable charset or structure: count it, as the TS reader does
            errors += 1
    ms = (time.perf_counter() - started) * 1000
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"ms": round(ms), "messages": messages, "errors": errors, "chars": chars, "maxrss_kb": rss_kb}))


if __name__ == "__main__":
    main(sys.argv[1])
