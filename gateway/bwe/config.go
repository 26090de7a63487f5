package bwe

// Default bounds used for Config fields left at zero.
const (
	// DefaultMinBitrate is the floor used when Config.MinBitrate is zero.
	DefaultMinBitrate = 50_000
	// DefaultMaxBitrate is the ceiling used when Config.MaxBitrate is zero.
	DefaultMaxBitrate = 10_000_000
	// DefaultStartBitrate is the first estimate when Config.StartBitrate is zero.
	DefaultStartBitrate = 300_000
)

// Config bounds an Estimator. All rates are in bits per second; a zero field
// takes its Default value.
type Config struct {
	// MinBitrate is the lowest estimate ever reported.
	MinBitrate int
	// MaxBitrate is the highest estimate ever reported.
	MaxBitrate int
	// StartBitrate is the estimate before the first over-use or loss report.
	StartBitrate int
}

// normalized returns c with defaults filled in and the fields made
// consistent: MaxBitrate >= MinBitrate and StartBitrate within them.
func (c Config) normalized() Config {
	if c.MinBitrate <= 0 {
		c.MinBitrate = DefaultMinBitrate
	}
	if c.MaxBitrate <= 0 {
		c.MaxBitrate = DefaultMaxBitrate
	}
	if c.MaxBitrate < c.MinBitrate {
		c.MaxBitrate = c.MinBitrate
	}
	if c.StartBitrate <= 0 {
		c.StartBitrate = DefaultStartBitrate
	}
	c.StartBitrate = int(c.clamp(float64(c.StartBitrate)))
	return c
}

// clamp limits bps to [MinBitrate, MaxBitrate].
func (c Config) clamp(bps float64) float64 {
	return min(max(bps, float64(c.MinBitrate)), float64(c.MaxBitrate))
}
