package dev.tenantry.bench;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * What another JVM on this machine has spent so far: its CPU time (all threads: request handling, GC, JIT), that of
 * its Java threads alone, and the bytes its live threads have allocated, read over JMX from its platform beans after attaching to it. Counts that
 * resist a loaded machine: another process taking the CPUs makes a request slower, not costlier.
 */
final class ProcessMeter implements AutoCloseable {

    private final JMXConnector connector;
    private final com.sun.management.OperatingSystemMXBean os;
    private final com.sun.management.ThreadMXBean threads;

    private ProcessMeter(JMXConnector connector, MBeanServerConnection beans) throws IOException {
        this.connector = connector;
        this.os = ManagementFactory.newPlatformMXBeanProxy(beans, ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME,
                com.sun.management.OperatingSystemMXBean.class);
        this.threads = ManagementFactory.newPlatformMXBeanProxy(beans, ManagementFactory.THREAD_MXBEAN_NAME,
                com.sun.management.ThreadMXBean.class);
    }

    /** Attaches to the JVM of {@code pid} and starts its local management agent. */
    static ProcessMeter attach(long pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
        return new ProcessMeter(connector, connector.getMBeanServerConnection());
    }

    /** CPU nanoseconds of the whole process so far. */
    long cpuNanos() {
        return os.getProcessCpuTime();
    }

    /**
     * CPU nanoseconds of the Java threads alive now: the work of requests, without the JIT compiler's and the garbage
     * collector's threads, which the JVM does not list. Threads that ended take their time with them.
     */
    long threadCpuNanos() {
        long[] ids = threads.getAllThreadIds();
        return Arrays.stream(threads.getThreadCpuTime(ids)).filter(nanos -> nanos > 0).sum();
    }

    /**
     * Bytes allocated so far by the threads alive now. Threads that ended take their count with them; the threads
     * that serve requests (Tomcat's, the pool's) live as long as the app.
     */
    long allocatedBytes() {
        long[] ids = threads.getAllThreadIds();
        return Arrays.stream(threads.getThreadAllocatedBytes(ids)).filter(bytes -> bytes > 0).sum();
    }

    /**
     * CPU nanoseconds that the process {@code pid} has run so far, from {@code /proc/<pid>/schedstat}: for a
     * PostgreSQL backend, which has one thread, all of its work. A process that is gone counts 0.
     */
    static long processNanos(long pid) {
        try {
            String schedstat = Files.readString(Path.of("/proc", Long.toString(pid), "schedstat"));
            return Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
