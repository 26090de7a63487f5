package turn

import "sync"

// quota counts allocations, in total and per user (the user ID the
// authenticator returns: a TURN REST label or a static user's name).
// RFC 8656 §7.2 step 10 asks that a quota be based on the username, not
// the client's address.
type quota struct {
	maxTotal, maxPerUser int // 0: unlimited

	mu      sync.Mutex
	total   int
	perUser map[string]int
}

func newQuota(maxTotal, maxPerUser int) *quota {
	return &quota{maxTotal: maxTotal, maxPerUser: maxPerUser, perUser: make(map[string]int)}
}

// check reports which quota, if any, a new allocation for user would
// exceed: "user", "total" or "". It reserves nothing: pion asks it before
// allocating, to answer 486 (Allocation Quota Reached); acquire is the
// binding check.
func (q *quota) check(user string) string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.exceeded(user)
}

func (q *quota) exceeded(user string) string {
	switch {
	case q.maxPerUser > 0 && q.perUser[user] >= q.maxPerUser:
		return "quota_user"
	case q.maxTotal > 0 && q.total >= q.maxTotal:
		return "quota_total"
	}
	return ""
}

// acquire reserves one allocation for user and returns the function that
// gives it back (safe to call once), or the exceeded quota's name.
func (q *quota) acquire(user string) (release func(), exceeded string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if why := q.exceeded(user); why != "" {
		return nil, why
	}
	q.total++
	q.perUser[user]++
	var once sync.Once
	return func() { once.Do(func() { q.release(user) }) }, ""
}

func (q *quota) release(user string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.total--
	if q.perUser[user]--; q.perUser[user] <= 0 {
		delete(q.perUser, user)
	}
}

// count returns the allocations held in total.
func (q *quota) count() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.total
}
