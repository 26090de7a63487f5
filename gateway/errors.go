package gateway

import "errors"

// errUnknownStream is returned when a request names a stream that does not exist.
var errUnknownStream = errors.New("unknown stream")
