//go:build !cgo

package codecs

// available is false: without cgo there are no codecs.
const available = false
