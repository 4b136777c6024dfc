public class DifferenceOfSquares {

    public long squareOfSum(int n) {
        throw new UnsupportedOperationException("Delete this statement and write your own implementation.");
    }

    public long sumOfSquares(int n) {
        throw new UnsupportedOperationException("Delete this statement and write your own implementation.");
    }

    public long difference(int n) {
        throw new UnsupportedOperationException("Delete this statement and write your own implementation.");
    }
}
