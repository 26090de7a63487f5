package udpbatch

import "errors"

// errNoBuffers is NewReader's answer to a batch without room.
var errNoBuffers = errors.New("udpbatch: a reader needs at least one non-empty buffer")
