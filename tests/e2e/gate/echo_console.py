"""A stand-in console for the gate's byte-level tests (run on the gate's PTY).

Prints `READY pid=.. size=COLSxROWS ctty=.. env=..` (after the first input byte when started
with `--wait`), then one line `got XX` (hex) per byte read; `winch COLSxROWS` on SIGWINCH.
`x` exits with status 7; `d` switches to the alternate screen and dies with status 9.
"""

import json
import os
import signal
import sys
import termios
import tty


def size() -> str:
    cols, rows = os.get_terminal_size(0)
    return f"{cols}x{rows}"


def say(text: str) -> None:
    os.write(1, (text + "\r\n").encode())


def main() -> None:
    tty.setraw(0, termios.TCSANOW)  # TCSAFLUSH would drop keys typed during start-up
    signal.signal(signal.SIGWINCH, lambda *_: say(f"winch {size()}"))
    if "--wait" in sys.argv:
        first = os.read(0, 1)
        say(f"got {first.hex()}")
    try:
        os.close(os.open("/dev/tty", os.O_RDWR))
        ctty = "yes"
    except OSError:
        ctty = "no"
    env = {k: os.environ.get(k) for k in ("TERM", "WARROOM_USER", "WARROOM_REMOTE_SESSION",
                                         "WARROOM_READONLY", "SSH_AUTH_SOCK", "DISPLAY")}
    say(f"READY pid={os.getpid()} size={size()} ctty={ctty} leader={os.getsid(0) == os.getpid()}"
        f" argv={json.dumps(sys.argv[1:])} env={json.dumps(env)}")
    while True:
        try:
            data = os.read(0, 1024)
        except InterruptedError:
            continue
        if not data:
            return
        for byte in data:
            say(f"got {byte:02x}")
            if byte == ord("x"):
                sys.exit(7)
            if byte == ord("d"):
                os.write(1, b"\x1b[?1049h\x1b[?25l")
                os._exit(9)


if __name__ == "__main__":
    main()
