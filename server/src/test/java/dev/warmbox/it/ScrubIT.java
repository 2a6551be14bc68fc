package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With one container in the pool, nothing one execution leaves is visible to the next. */
class ScrubIT {
    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = new RunningServer(Map.of("WARM_POOL_SIZE_PER_RUNTIME", "0", "WARM_POOL_PYTHON_SIZE", "1",
                "WARM_POOL_ACQUIRE_WAIT_MS", "5000"));
        Awaits.warm(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void theNextExecutionInTheSameContainerSeesNothingOfThePrevious() {
        JsonNode first = server.execute(Map.of("language", "python", "code", """
                import os, socket, subprocess
                for d in ['/workspace', '/tmp', '/dev/shm', '/home/sandbox']:
                    open(os.path.join(d, 'secret.txt'), 'w').write('previous user')
                os.environ['SECRET_TOKEN'] = 'previous user'
                subprocess.Popen(['sleep', '1000'], start_new_session=True, env=dict(os.environ))
                subprocess.Popen('nohup sleep 999 >/dev/null 2>&1 &', shell=True)
                print(socket.gethostname())
                """));
        assertThat(first.get("exit_code").asInt()).as("first execution: %s", first).isZero();
        assertThat(first.get("pool").asText()).isEqualTo("hit");

        JsonNode second = server.execute(Map.of("language", "python", "code", """
                import os, socket
                left = [p for d in ['/workspace', '/tmp', '/dev/shm', '/home/sandbox'] for p in [os.path.join(d, 'secret.txt')] if os.path.exists(p)]
                procs = [open(f'/proc/{p}/cmdline').read().replace('\\0', ' ') for p in os.listdir('/proc') if p.isdigit()]
                print(socket.gethostname())
                print('files', left)
                print('env', os.environ.get('SECRET_TOKEN'))
                print('sleepers', [p for p in procs if 'sleep' in p])
                """));
        String[] lines = second.get("stdout").asText().split("\n");
        assertThat(second.get("pool").asText()).isEqualTo("hit");
        assertThat(lines[0]).as("same container, so the scrub is what is tested").isEqualTo(first.get("stdout").asText().trim());
        assertThat(lines[1]).isEqualTo("files []");
        assertThat(lines[2]).isEqualTo("env None");
        assertThat(lines[3]).isEqualTo("sleepers []");
    }
}
