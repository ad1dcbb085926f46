"""Ways in without installing anything: the SSH gate and the browser wallboard.

- `warroom.gate.ssh`: `ssh -p 2222 warroom@host` lands in your own console (asyncssh); one
  client connection is `warroom.gate.connection`, one session channel `warroom.gate.session`,
  the caps on connections not yet logged in and the counters `warroom.gate.limits`, the host
  key `warroom.gate.hostkey`.
- `warroom.gate.console`: a remote viewer's console command line and environment.
- `warroom.gate.roster`: who may join, by public key (authorized_keys form).
- `warroom.gate.pty`: a console process on a real pseudo-terminal.
- `warroom.gate.web`: the read-only wallboard for browsers (textual-serve), behind a token.
- `warroom.gate.guard`: what a console run for a remote viewer may not do (open links or save
  files on the server).
- `warroom.gate.serve`: options and wiring for `warroom serve --ssh/--web`.

Importing this package imports nothing heavy.
"""
