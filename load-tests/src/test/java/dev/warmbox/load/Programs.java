package dev.warmbox.load;

import java.util.Map;

/** One small program per language that does a little work and prints a known line. */
final class Programs {
    static final String EXPECTED_OUTPUT = "499500\n";

    private static final Map<String, String> CODE = Map.of(
            "python", "print(sum(range(1000)))",
            "javascript", "let s = 0; for (let i = 0; i < 1000; i++) s += i; console.log(s);",
            "go", """
                    package main

                    import "fmt"

                    func main() {
                    \ts := 0
                    \tfor i := 0; i < 1000; i++ {
                    \t\ts += i
                    \t}
                    \tfmt.Println(s)
                    }
                    """,
            "java", """
                    public class Main {
                        public static void main(String[] args) {
                            int s = 0;
                            for (int i = 0; i < 1000; i++) s += i;
                            System.out.println(s);
                        }
                    }
                    """);

    private Programs() {}

    static String code(String language) {
        String code = CODE.get(language);
        if (code == null) throw new IllegalArgumentException("no program for language " + language);
        return code;
    }
}
