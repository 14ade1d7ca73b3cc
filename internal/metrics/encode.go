package metrics

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"math"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// V2 encoding cookies (HdrHistogram's wire format, with the word size
// nibble 0x10 every writer sets).
const (
	v2Cookie           = 0x1c849303 | 0x10
	v2CompressedCookie = 0x1c849304 | 0x10
)

// histEncoder writes a histogram in HdrHistogram's V2 compressed encoding,
// base64 — the very bytes hdr's Encode writes — but keeps its buffers and
// its zlib writer from one histogram to the next. hdr's Encode makes a new
// best-compression zlib writer for each call, about 800 KB of garbage: one
// per closed second, the largest allocation of a run and the one that made
// its peak memory grow with its length. Not safe for concurrent use.
type histEncoder struct {
	payload, raw []byte
	z            bytes.Buffer
	zw           *zlib.Writer
	out          []byte
}

// encode returns h's V2 compressed encoding in base64.
func (e *histEncoder) encode(h *hdr.Histogram) (string, error) {
	s := h.Export()
	// The counts up to the one holding the maximum, as hdr writes them:
	// zig-zag LEB128, a run of two or more zeros as its negated length.
	limit := 1
	for i := len(s.Counts) - 1; i > 0; i-- {
		if s.Counts[i] != 0 {
			limit = i + 1
			break
		}
	}
	e.payload = e.payload[:0]
	for i := 0; i < limit; {
		c := s.Counts[i]
		i++
		if c == 0 {
			zeros := int64(1)
			for i < limit && s.Counts[i] == 0 {
				zeros++
				i++
			}
			if zeros > 1 {
				e.payload = appendZigZag(e.payload, -zeros)
				continue
			}
		}
		e.payload = appendZigZag(e.payload, c)
	}
	ratio := s.IntegerToDoubleConversionRatio
	if ratio == 0 {
		ratio = 1
	}
	e.raw = e.raw[:0]
	e.raw = binary.BigEndian.AppendUint32(e.raw, v2Cookie)
	e.raw = binary.BigEndian.AppendUint32(e.raw, uint32(len(e.payload)))
	e.raw = binary.BigEndian.AppendUint32(e.raw, 0) // normalizing index offset
	e.raw = binary.BigEndian.AppendUint32(e.raw, uint32(s.SignificantFigures))
	e.raw = binary.BigEndian.AppendUint64(e.raw, uint64(s.LowestTrackableValue))
	e.raw = binary.BigEndian.AppendUint64(e.raw, uint64(s.HighestTrackableValue))
	e.raw = binary.BigEndian.AppendUint64(e.raw, math.Float64bits(ratio))
	e.raw = append(e.raw, e.payload...)

	e.z.Reset()
	if e.zw == nil {
		zw, err := zlib.NewWriterLevel(&e.z, zlib.BestCompression)
		if err != nil {
			return "", err
		}
		e.zw = zw
	} else {
		e.zw.Reset(&e.z)
	}
	if _, err := e.zw.Write(e.raw); err != nil {
		return "", err
	}
	if err := e.zw.Close(); err != nil {
		return "", err
	}
	e.raw = e.raw[:0]
	e.raw = binary.BigEndian.AppendUint32(e.raw, v2CompressedCookie)
	e.raw = binary.BigEndian.AppendUint32(e.raw, uint32(e.z.Len()))
	e.raw = append(e.raw, e.z.Bytes()...)
	e.out = base64.StdEncoding.AppendEncode(e.out[:0], e.raw)
	return string(e.out), nil
}

// appendZigZag appends v as HdrHistogram's zig-zag LEB128 (at most 9
// bytes, the ninth holding 8 bits).
func appendZigZag(b []byte, v int64) []byte {
	u := uint64((v << 1) ^ (v >> 63))
	for i := 0; i < 8; i++ {
		if u>>7 == 0 {
			return append(b, byte(u))
		}
		b = append(b, byte(u&0x7f|0x80))
		u >>= 7
	}
	return append(b, byte(u))
}
