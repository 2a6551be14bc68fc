// Compiled once at image build so that the class-data-sharing archive of javac holds the classes
// javac loads for everyday code: generics, lambdas, streams, records, enums, switch expressions,
// text blocks, inner classes, exceptions. Never run.
import java.io.*;
import java.util.*;
import java.util.function.*;
import java.util.stream.*;

public class Warm {
    record Point(int x, int y) implements Comparable<Point> {
        public int compareTo(Point o) { return Integer.compare(x * x + y * y, o.x * o.x + o.y * o.y); }
    }

    enum Op { ADD, MUL; int apply(int a, int b) { return this == ADD ? a + b : a * b; } }

    interface Shape { double area(); default String describe() { return "area " + area(); } }

    static final class Box<T extends Comparable<T>> {
        private final List<T> items = new ArrayList<>();
        void add(T item) { items.add(item); }
        Optional<T> max() { return items.stream().max(Comparator.naturalOrder()); }
    }

    static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

    static String kind(Object o) {
        return switch (o) {
            case Integer i when i > 10 -> "big " + i;
            case Integer i -> "int " + i;
            case String s -> "string " + s.length();
            default -> "other";
        };
    }

    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        Scanner scanner = new Scanner(System.in);
        StringBuilder sb = new StringBuilder();
        Map<String, Integer> counts = new HashMap<>();
        TreeMap<Integer, List<String>> byLength = new TreeMap<>();
        Deque<Integer> stack = new ArrayDeque<>();
        PriorityQueue<Point> queue = new PriorityQueue<>();
        for (String w : "a bb ccc bb a".split(" ")) {
            counts.merge(w, 1, Integer::sum);
            byLength.computeIfAbsent(w.length(), k -> new ArrayList<>()).add(w);
        }
        Box<Point> box = new Box<>();
        box.add(new Point(1, 2));
        queue.add(new Point(3, 4));
        stack.push(fib(10));
        Shape circle = () -> Math.PI;
        Runnable r = new Runnable() { public void run() { sb.append(circle.describe()); } };
        r.run();
        BiFunction<Integer, Integer, Integer> add = Op.ADD::apply;
        String text = """
            text %d %s
            """.formatted(add.apply(1, 2), kind(42));
        List<String> sorted = counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.toList());
        int[] arr = IntStream.rangeClosed(1, 10).map(x -> x * x).toArray();
        Arrays.sort(arr);
        long total = Arrays.stream(arr).asLongStream().sum();
        try {
            Objects.requireNonNull(in.readLine(), "no input");
        } catch (NullPointerException | IOException e) {
            System.err.printf("error: %s%n", e.getMessage());
        } finally {
            scanner.close();
        }
        System.out.println(String.join(",", sorted) + " " + total + " " + text + byLength + box.max() + stack + sb);
    }
}
