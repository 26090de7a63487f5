// Package layout states the module's dependency rules — the layers of
// DESIGN.md — as data, and its test holds every package of the module to
// them: dependencies point downward only (cmd → gateway → gateway/* →
// {transcoder, turn, internal}), transcoder and turn never import gateway,
// the hub (stream) never imports ingest or egress, ingest and egress never
// import each other, no sub-package imports the composition root, and only
// transcoder's leaf packages import "C". It is no part of the packet path;
// it keeps the packet path's packages where a reader expects them.
package layout
