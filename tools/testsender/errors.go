package main

import "errors"

// Errors of the test sender, wrapped with the detail at fault.
var (
	// errFlags reports a bad command line: a flag value out of range, a
	// missing -to, an unknown codec or SRTP suite.
	errFlags = errors.New("bad flags")
	// errKey reports an SRTP key that cannot be read or decoded. Its
	// message never holds the key.
	errKey = errors.New("bad SRTP key")
	// errSocket reports a UDP socket that could not be opened.
	errSocket = errors.New("cannot open the UDP socket")
	// errEncoder reports an encoder that could not be opened or failed.
	errEncoder = errors.New("encoder failed")
)
