use nth_prime::nth;

#[test]
fn first() {
    assert_eq!(nth(0), 2);
}

#[test]
fn second() {
    assert_eq!(nth(1), 3);
}

#[test]
fn sixth() {
    assert_eq!(nth(5), 13);
}

#[test]
fn big() {
    assert_eq!(nth(10_000), 104_743);
}
