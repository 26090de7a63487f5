// Package doctest runs what the docs pages mark as runnable, so that a page
// cannot drift from the gateway: its test (in `make test`) builds
// bin/mediagate and, for each page, runs the page's marked blocks in order,
// in a network namespace of its own that has nothing but loopback, against
// a gateway the page starts.
//
// # Markers
//
// A marker is an HTML comment on the line before a fenced block (readers
// of the rendered page never see it), or on a line of its own:
//
//	<!-- doctest: run expect="HTTP/1.1 204" -->
//	```sh
//	curl -si -X OPTIONS http://localhost:8080/whep/cam1
//	```
//
// Before a block, the first word says what to do with it:
//
//   - run (the default): run it with bash; it must exit 0 within timeout
//     (default 30s), and its output must match expect (a Go regular
//     expression), if given. With retry=DUR it is run again until it
//     passes, for at most DUR: a check that waits for a stream to come up.
//   - background: start it and go on; it runs until stop or the end of
//     the page, and must still be running then (or have exited 0). With
//     ready=URL the runner waits until the URL answers over HTTP.
//   - file=NAME: write the block to NAME (a config, a script).
//
// On a line of its own:
//
//   - gateway=CONFIG: start `bin/mediagate run -c CONFIG` in the background
//     (id "gateway") and wait for ready= (default
//     http://127.0.0.1:8080/healthz): for a page that says "with the
//     gateway running".
//   - stop, or stop=ID: stop the last background block still running, or
//     the one with that id.
//   - restart=ID: stop the background block ID and start it again.
//   - await=ID expect=RE: wait (timeout, default 30s) until the output of
//     the background block ID matches RE.
//   - rerun=ID: run the block ID again, as it was marked.
//
// Any step may carry id=NAME. Blocks run in one shell session as a reader
// would type them: the variables a run block sets and the directory it
// ends in carry over to the next blocks (newshell starts one afresh, in
// the page's starting directory, which holds bin/mediagate and configs/).
// HOME is a directory of the test's own.
package doctest
