module warmbox/agent

go 1.24
