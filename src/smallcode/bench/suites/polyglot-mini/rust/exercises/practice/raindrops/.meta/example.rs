pub fn raindrops(n: u32) -> String {
    let mut out = String::new();
    for (d, word) in [(3, "Pling"), (5, "Plang"), (7, "Plong")] {
        if n % d == 0 {
            out.push_str(word);
        }
    }
    if out.is_empty() {
        n.to_string()
    } else {
        out
    }
}
