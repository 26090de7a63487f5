// Package config is mediagate's configuration: the TOML schema, its defaults,
// strict decoding and validation, and the difference between two configs that
// a reload applies. It sits before the packet path rather than on it: every
// part of the gateway (ingest sockets, SRTP contexts, the stream hub, egress
// sessions, the HTTP handlers) is built from a *Config that this package has
// already loaded and checked, and nothing in a Config changes afterwards.
//
// Load and Parse work in one fixed order:
//
//  1. Default() fills every global setting.
//  2. The file is decoded strictly with BurntSushi/toml over those defaults.
//     A syntax error or a value of the wrong type stops here, with its line
//     and column. A key the schema does not know is an error
//     (MetaData.Undecoded), named by its key path with array indexes, such
//     as stream[1].video.codek, and reported together with step 4's.
//  3. Stream.FillDefaults completes each [[stream]] table: empty or zero
//     fields take the per-stream and per-codec defaults, and codec names are
//     lowered.
//  4. Validate reports every remaining problem at once, joined with
//     errors.Join, each as a *FieldError naming its key path.
//
// Decisions recorded here:
//
//   - The file must be UTF-8 and at most MaxFileSize bytes. A UTF-8 byte
//     order mark is stripped and accepted (Windows editors add one); a UTF-16
//     file is refused with a hint to save it as UTF-8. CRLF line endings are
//     accepted, as TOML allows them.
//   - Durations are strings ("5s", "250ms"). A bare integer is refused:
//     BurntSushi/toml would otherwise read it as nanoseconds.
//   - Tokens and SRTP keys are Secrets: they print, log and marshal as
//     "[redacted]", and no error message ever quotes one. Parse errors give a
//     line and column but never echo the offending line, which might hold a
//     secret.
//   - Listen addresses are an IP literal (or empty for every interface) and
//     a port; host names are not resolved at load time.
//   - An empty allow_from means the default (any sender), not "nobody".
//   - A zero payload type means "the codec's default", so PCMU's static 0 is
//     its own default.
//   - A [stream.srtp] table without a suite uses AES_CM_128_HMAC_SHA1_80, the
//     suite every SDES camera and ffmpeg support.
package config
