package testutil

import (
	"reflect"

	"github.com/zkmips/zkmips/events"
)

// DifferingField names the first exported field of two records that
// differs, treating nil and empty tables as equal ("" if none).
func DifferingField(x, y *events.Record) string {
	a, b := reflect.ValueOf(*x), reflect.ValueOf(*y)
	for f := 0; f < a.NumField(); f++ {
		fa, fb := a.Field(f), b.Field(f)
		if !a.Type().Field(f).IsExported() {
			continue
		}
		if (fa.Kind() == reflect.Slice || fa.Kind() == reflect.Map) && fa.Len() == 0 && fb.Len() == 0 {
			continue
		}
		if !reflect.DeepEqual(fa.Interface(), fb.Interface()) {
			return a.Type().Field(f).Name
		}
	}
	return ""
}
