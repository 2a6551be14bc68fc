package dev.warmbox.cli;

/** How answers are printed: readable columns, or the server's whole answer as JSON or YAML. */
enum Format {
    table, json, yaml
}
