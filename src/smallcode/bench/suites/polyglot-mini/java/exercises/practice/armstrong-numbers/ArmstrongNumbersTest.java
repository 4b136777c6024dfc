public class ArmstrongNumbersTest {

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
        ArmstrongNumbers a = new ArmstrongNumbers();
        check("zero", true, () -> a.isArmstrongNumber(0));
        check("single digit", true, () -> a.isArmstrongNumber(5));
        check("ten", false, () -> a.isArmstrongNumber(10));
        check("153", true, () -> a.isArmstrongNumber(153));
        check("100", false, () -> a.isArmstrongNumber(100));
        check("9474", true, () -> a.isArmstrongNumber(9474));
        check("9475", false, () -> a.isArmstrongNumber(9475));
        finish();
    }
}
