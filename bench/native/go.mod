module kstratum.invalid/bench/native

go 1.22
