//go:build cgo

package codecs

// available is true: the cgo leaf packages are built in.
const available = true
