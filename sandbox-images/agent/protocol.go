package main

import "errors"

var errTooLarge = errors.New("request larger than the agent accepts")

// Request is every operation's request; each op reads the fields it needs.
type Request struct {
	Op          string            `json:"op"`
	Files       []File            `json:"files"`
	Compile     *Step             `json:"compile"`
	Run         *Step             `json:"run"`
	Stdin       string            `json:"stdin"`
	Env         map[string]string `json:"env"`
	TimeoutMs   int64             `json:"timeout_ms"`
	OutputLimit int               `json:"output_limit_bytes"`
	Prepare     *PrepareSpec      `json:"prepare"`
}

// File is written into the working directory before anything runs.
type File struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

// Step is one process: compile or run.
type Step struct {
	Argv      []string `json:"argv"`
	TimeoutMs int64    `json:"timeout_ms"`
	// Prepared: hand argv to the interpreter started after the last scrub instead of spawning it.
	Prepared bool `json:"prepared"`
}

// PrepareSpec starts an interpreter that waits on fd 3 for the argv of the program to run.
type PrepareSpec struct {
	Argv []string          `json:"argv"`
	Env  map[string]string `json:"env"`
	// Template, when given, names a program the agent runs once, as root, to fork the interpreter
	// from instead of spawning Argv (template.go).
	Template *TemplateSpec `json:"template"`
}

// TemplateSpec is the template process's program; it gets the prepare env.
type TemplateSpec struct {
	Argv []string `json:"argv"`
}

// StepResult is what one process did.
type StepResult struct {
	Stdout          string  `json:"stdout"`
	Stderr          string  `json:"stderr"`
	ExitCode        int     `json:"exit_code"`
	Signal          *string `json:"signal"`
	TimedOut        bool    `json:"timed_out"`
	OutputTruncated bool    `json:"output_truncated"`
	DurationMs      int64   `json:"duration_ms"`
}

// ExecAnswer answers exec.
type ExecAnswer struct {
	OK       bool        `json:"ok"`
	Version  string      `json:"version"`
	Compile  *StepResult `json:"compile"`
	Run      *StepResult `json:"run"`
	Prepared bool        `json:"prepared"`
}
