module goversions

go 1.22
