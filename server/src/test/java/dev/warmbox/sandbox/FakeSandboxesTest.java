package dev.warmbox.sandbox;

import java.time.Clock;

class FakeSandboxesTest extends SandboxesContract {
    private final FakeSandboxes fake = new FakeSandboxes(Clock.systemUTC());

    @Override
    protected Sandboxes sandboxes() {
        return fake;
    }

    @Override
    protected void stopFromOutside(Sandbox sandbox) {
        fake.stopped.add(sandbox);
    }

    @Override
    protected String leaveStray() {
        return fake.leaveStray();
    }
}
