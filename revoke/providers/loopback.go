package providers

import (
	"net"
	"strings"
)

// isLoopback reports whether host is localhost or a loopback IP address: the one place a
// base URL may use plain http.
func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return strings.EqualFold(host, "localhost") || ip != nil && ip.IsLoopback()
}
