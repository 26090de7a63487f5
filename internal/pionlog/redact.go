package pionlog

import (
	"regexp"
	"strings"
)

// redacted replaces a secret's value in a pion message.
const redacted = "[redacted]"

// secretWords are the lower-case words that name a secret in pion's
// messages: pion/ice logs "remotePwd: %q" when an agent starts, and the
// TURN and DTLS stacks name passwords, keys and integrity values.
var secretWords = []string{"pwd", "password", "passwd", "secret", "integrity"}

// secretValue matches a word ending in one of secretWords (remotePwd,
// localPassword, sharedSecret…), a ':' or '=' and the value after it: a
// quoted string or everything up to the next space, comma or bracket.
var secretValue = regexp.MustCompile(`(?i)(\w*(?:pwd|password|passwd|secret|integrity))(\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,;)\]}]+)`)

// redact returns msg with the value of every secret it names replaced by
// "[redacted]". A message that names none is returned as it is, without
// running the expression.
func redact(msg string) string {
	lower := strings.ToLower(msg)
	for _, w := range secretWords {
		if strings.Contains(lower, w) {
			return secretValue.ReplaceAllString(msg, "${1}${2}"+redacted)
		}
	}
	return msg
}
