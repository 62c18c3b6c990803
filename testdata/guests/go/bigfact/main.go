// Command bigfact computes large numbers with math/big.
package main

import (
	"fmt"
	"math/big"
)

func main() {
	f := big.NewInt(1)
	for i := int64(2); i <= 300; i++ {
		f.Mul(f, big.NewInt(i))
	}
	s := f.String()
	fmt.Println("300! has", len(s), "digits:", s[:40], "...", s[len(s)-80:])
	a, b := big.NewInt(0), big.NewInt(1)
	for i := 0; i < 1000; i++ {
		a.Add(a, b)
		a, b = b, a
	}
	fmt.Println("fib(1000) =", a.String()[:30], "bits", a.BitLen())
	m := new(big.Int).Exp(big.NewInt(3), big.NewInt(1000), big.NewInt(1000000007))
	fmt.Println("3^1000 mod 1e9+7 =", m)
	q, r := new(big.Int).QuoRem(f, a, new(big.Int))
	fmt.Println("quo bits", q.BitLen(), "rem mod 97", new(big.Int).Mod(r, big.NewInt(97)))
	p := new(big.Int).Lsh(big.NewInt(1), 127)
	p.Sub(p, big.NewInt(1))
	fmt.Println("2^127-1 prime:", p.ProbablyPrime(10), "gcd", new(big.Int).GCD(nil, nil, f, p))
	r1 := new(big.Rat).SetFrac64(1, 3)
	r1.Add(r1, big.NewRat(1, 6))
	fmt.Println("1/3+1/6 =", r1)
}
