public class DifferenceOfSquaresTest {

    private static int run = 0;
    private static int failed = 0;

    private static void check(String name, Object expected, java.util.function.Supplier<Object> actual) {
        run++;
        try {
            Object got = actual.get();
            if (!java.util.Objects.equals(expected, got)) {
                failed++;
                System.out.println("FAIL " + name + ": expected " + expected + " but was " + got);
            }
        } catch (RuntimeException e) {
            failed++;
            System.out.println("FAIL " + name + ": " + e);
        }
    }

    private static void finish() {
        System.out.println("Tests run: " + run + ", Failures: " + failed + ", Errors: 0, Skipped: 0");
        System.exit(failed == 0 ? 0 : 1);
    }

    public static void main(String[] args) {
        DifferenceOfSquares d = new DifferenceOfSquares();
        check("square of sum 1", 1L, () -> d.squareOfSum(1));
        check("square of sum 10", 3025L, () -> d.squareOfSum(10));
        check("sum of squares 10", 385L, () -> d.sumOfSquares(10));
        check("difference 10", 2640L, () -> d.difference(10));
        check("difference 100", 25164150L, () -> d.difference(100));
        finish();
    }
}
