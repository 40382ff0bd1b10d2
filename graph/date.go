package graph

import (
	"fmt"
	"time"
)

// Date is a calendar date of the data model's time qualifiers
// (valid_from, valid_until) and of a source's date: an ISO 8601 date at
// the precision the source allows — a year (2025), a month (2025-01) or a
// day (2025-01-20).
type Date struct {
	Year, Month, Day int // Month and Day are 0 when not given
}

// ParseDate reads an ISO 8601 calendar date of the form YYYY, YYYY-MM or
// YYYY-MM-DD. The error says what is wrong, without the value.
func ParseDate(s string) (Date, error) {
	var d Date
	digits := func(from, n int) (int, bool) {
		if len(s) < from+n {
			return 0, false
		}
		v := 0
		for _, c := range s[from : from+n] {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	const form = "expected an ISO 8601 date: YYYY, YYYY-MM or YYYY-MM-DD"
	var ok bool
	if d.Year, ok = digits(0, 4); !ok {
		return Date{}, fmt.Errorf("%s", form)
	}
	switch len(s) {
	case 4:
		return d, nil
	case 7, 10:
	default:
		return Date{}, fmt.Errorf("%s", form)
	}
	if s[4] != '-' {
		return Date{}, fmt.Errorf("%s", form)
	}
	if d.Month, ok = digits(5, 2); !ok {
		return Date{}, fmt.Errorf("%s", form)
	}
	if d.Month < 1 || d.Month > 12 {
		return Date{}, fmt.Errorf("month %02d is not 01 to 12", d.Month)
	}
	if len(s) == 7 {
		return d, nil
	}
	if s[7] != '-' {
		return Date{}, fmt.Errorf("%s", form)
	}
	if d.Day, ok = digits(8, 2); !ok {
		return Date{}, fmt.Errorf("%s", form)
	}
	if last := daysIn(d.Year, d.Month); d.Day < 1 || d.Day > last {
		return Date{}, fmt.Errorf("day %02d is not 01 to %02d in %04d-%02d", d.Day, last, d.Year, d.Month)
	}
	return d, nil
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// String is the date in ISO 8601, at its precision.
func (d Date) String() string {
	switch {
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// First is the first day the date covers (2025-01 → 2025-01-01).
func (d Date) First() time.Time {
	m, day := max(d.Month, 1), max(d.Day, 1)
	return time.Date(d.Year, time.Month(m), day, 0, 0, 0, 0, time.UTC)
}

// Last is the last day the date covers (2025-01 → 2025-01-31).
func (d Date) Last() time.Time {
	switch {
	case d.Month == 0:
		return time.Date(d.Year, 12, 31, 0, 0, 0, 0, time.UTC)
	case d.Day == 0:
		return time.Date(d.Year, time.Month(d.Month), daysIn(d.Year, d.Month), 0, 0, 0, 0, time.UTC)
	}
	return d.First()
}
