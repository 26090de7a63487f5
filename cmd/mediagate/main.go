package main

import (
	"fmt"
	"os"
)

func main() {
	os.Exit(dispatch(os.Args[1:]))
}

func dispatch(args []string) int {
	cmd := "run"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		return run(args)
	case "check-config":
		return checkConfig(args)
	case "version":
		fmt.Println("mediagate", version)
		return 0
	case "help", "-h", "--help":
		usage()
		return 0
	}
	fmt.Fprintf(os.Stderr, "mediagate: unknown command %q\n", cmd)
	usage()
	return 2
}

func usage() {
	fmt.Fprint(os.Stderr, `usage:
  mediagate run [-c FILE]           run the gateway (default command)
  mediagate check-config [-c FILE]  print every problem in FILE; exit 1 if any
  mediagate version                 print the version
FILE defaults to `+defaultConfig+`
`)
}
