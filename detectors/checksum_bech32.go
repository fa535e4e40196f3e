package detectors

import "bytes"

// bech32Charset maps 5-bit values to Bech32 characters (BIP 173).
const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// bech32Polymod is BIP 173's checksum polynomial over 5-bit values.
func bech32Polymod(values []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	for _, v := range values {
		b := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := range gen {
			if (b>>i)&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	return chk
}

// bech32HRPExpand returns the human-readable part as the checksum sees it.
func bech32HRPExpand(hrp []byte) []byte {
	out := make([]byte, 0, 2*len(hrp)+1)
	for _, c := range hrp {
		out = append(out, c>>5)
	}
	out = append(out, 0)
	for _, c := range hrp {
		out = append(out, c&31)
	}
	return out
}

// validBech32 reports whether s is a Bech32 string (BIP 173 checksum, original constant 1;
// any length, as age uses it) in a single case, and returns its data part without the
// checksum, as 5-bit values.
func validBech32(s []byte) ([]byte, bool) {
	lower := bytes.ToLower(s)
	if !bytes.Equal(lower, s) && !bytes.Equal(bytes.ToUpper(s), s) {
		return nil, false
	}
	sep := bytes.LastIndexByte(lower, '1')
	if sep < 1 || len(lower)-sep-1 < 6 {
		return nil, false
	}
	values := bech32HRPExpand(lower[:sep])
	data := make([]byte, 0, len(lower)-sep-1)
	for _, c := range lower[sep+1:] {
		v := bytes.IndexByte([]byte(bech32Charset), c)
		if v < 0 {
			return nil, false
		}
		data = append(data, byte(v))
	}
	if bech32Polymod(append(values, data...)) != 1 {
		return nil, false
	}
	return data[:len(data)-6], true
}
