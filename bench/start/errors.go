package main

import "errors"

// Errors of the benchmark.
var (
	// errNoCodecs: the binary was built without cgo, so there is no bridge.
	errNoCodecs = errors.New("built without cgo: no codecs, no bridge")
	// errNoFrame: a page decoded no frame in time.
	errNoFrame = errors.New("no frame decoded")
	// errCameraDown: a camera's stream never came up.
	errCameraDown = errors.New("camera stream never came up")
)
