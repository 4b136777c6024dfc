use raindrops::raindrops;

#[test]
fn one() {
    assert_eq!(raindrops(1), "1");
}

#[test]
fn three() {
    assert_eq!(raindrops(3), "Pling");
}

#[test]
fn fifteen() {
    assert_eq!(raindrops(15), "PlingPlang");
}

#[test]
fn thirty_five() {
    assert_eq!(raindrops(35), "PlangPlong");
}

#[test]
fn one_hundred_five() {
    assert_eq!(raindrops(105), "PlingPlangPlong");
}

#[test]
fn fifty_two() {
    assert_eq!(raindrops(52), "52");
}
