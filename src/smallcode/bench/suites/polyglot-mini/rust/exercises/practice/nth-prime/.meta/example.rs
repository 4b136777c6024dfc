pub fn nth(n: u32) -> u32 {
    let mut primes: Vec<u32> = Vec::new();
    let mut candidate = 2u32;
    loop {
        if primes.iter().take_while(|p| *p * *p <= candidate).all(|p| candidate % p != 0) {
            if primes.len() as u32 == n {
                return candidate;
            }
            primes.push(candidate);
        }
        candidate += 1;
    }
}
