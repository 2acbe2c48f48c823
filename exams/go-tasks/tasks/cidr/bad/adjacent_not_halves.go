package cidr

import (
	"net/netip"
	"slices"
)

// Contains reports whether the masked prefix contains the address.
func Contains(prefix, addr string) (bool, error) {
	p, err := netip.ParsePrefix(prefix)
	if err != nil {
		return false, err
	}
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false, err
	}
	return p.Masked().Contains(a), nil
}

// Overlaps reports whether two prefixes share an address.
func Overlaps(a, b string) (bool, error) {
	pa, err := netip.ParsePrefix(a)
	if err != nil {
		return false, err
	}
	pb, err := netip.ParsePrefix(b)
	if err != nil {
		return false, err
	}
	return pa.Masked().Overlaps(pb.Masked()), nil
}

// halves reports whether a and b are the lower and upper halves of one prefix, and returns it.
func halves(a, b netip.Prefix) (netip.Prefix, bool) {
	if a.Bits() != b.Bits() || a.Bits() == 0 || a.Addr().Is4() != b.Addr().Is4() {
		return netip.Prefix{}, false
	}
	// b must start right after a ends.
	size := netip.PrefixFrom(a.Addr(), a.Bits())
	next := b.Addr().Prev()
	if !size.Contains(next) || a.Addr() == b.Addr() {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a.Addr(), a.Bits()-1), true
}

// Merge returns the minimal sorted prefixes covering the same addresses.
func Merge(prefixes []string) ([]string, error) {
	ps := make([]netip.Prefix, 0, len(prefixes))
	for _, s := range prefixes {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p.Masked())
	}
	// Address order puts IPv4 first; for equal addresses the shorter (larger) prefix comes first.
	slices.SortFunc(ps, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	var stack []netip.Prefix
	for _, p := range ps {
		if n := len(stack); n > 0 && stack[n-1].Contains(p.Addr()) && stack[n-1].Bits() <= p.Bits() {
			continue
		}
		stack = append(stack, p)
		for n := len(stack); n >= 2; n = len(stack) {
			parent, ok := halves(stack[n-2], stack[n-1])
			if !ok {
				break
			}
			stack = append(stack[:n-2], parent)
		}
	}
	out := make([]string, len(stack))
	for i, p := range stack {
		out[i] = p.String()
	}
	return out, nil
}
