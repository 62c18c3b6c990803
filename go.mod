module github.com/zkmips/zkmips

go 1.26
