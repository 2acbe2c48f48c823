package cidr

import (
	"fmt"
	"net/netip"
	"sort"
)

func parse(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("cidr: %w", err)
	}
	return p.Masked(), nil
}

// last returns the highest address of a masked prefix by setting its host bits.
func last(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// Contains compares the address with the prefix's first and last addresses.
func Contains(prefix, addr string) (bool, error) {
	p, err := parse(prefix)
	if err != nil {
		return false, err
	}
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false, fmt.Errorf("cidr: %w", err)
	}
	if a.Is4() != p.Addr().Is4() {
		return false, nil
	}
	return p.Addr().Compare(a) <= 0 && a.Compare(last(p)) <= 0, nil
}

// Overlaps compares the two address ranges.
func Overlaps(a, b string) (bool, error) {
	pa, err := parse(a)
	if err != nil {
		return false, err
	}
	pb, err := parse(b)
	if err != nil {
		return false, err
	}
	if pa.Addr().Is4() != pb.Addr().Is4() {
		return false, nil
	}
	return pa.Addr().Compare(last(pb)) <= 0 && pb.Addr().Compare(last(pa)) <= 0, nil
}

type span struct{ lo, hi netip.Addr }

// Merge turns the prefixes into address ranges, joins overlapping and touching ranges, and
// cuts each range back into the largest aligned prefixes.
func Merge(prefixes []string) ([]string, error) {
	var spans []span
	for _, s := range prefixes {
		p, err := parse(s)
		if err != nil {
			return nil, err
		}
		spans = append(spans, span{p.Addr(), last(p)})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].lo.Less(spans[j].lo) })
	var joined []span
	for _, s := range spans {
		if n := len(joined); n > 0 && joined[n-1].hi.Is4() == s.lo.Is4() {
			top := &joined[n-1]
			if next := top.hi.Next(); !next.IsValid() || s.lo.Compare(next) <= 0 {
				if top.hi.Less(s.hi) {
					top.hi = s.hi
				}
				continue
			}
		}
		joined = append(joined, s)
	}
	out := []string{}
	for _, s := range joined {
		lo := s.lo
		for {
			bits := lo.BitLen()
			for bits > 0 {
				wider := netip.PrefixFrom(lo, bits-1).Masked()
				if wider.Addr() != lo || s.hi.Less(last(wider)) {
					break
				}
				bits--
			}
			p := netip.PrefixFrom(lo, bits)
			out = append(out, p.String())
			end := last(p)
			if end == s.hi {
				break
			}
			lo = end.Next()
		}
	}
	return out, nil
}
