package dev.pocketmesh.infra;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

/**
 * For tests that play the services downstream of the one under test: a plain consumer that reads the given
 * topics from the beginning, on its own thread, and keeps every record for the test to look at.
 */
public final class TopicRecorder implements AutoCloseable {
    private final Map<String, List<ConsumerRecord<String, String>>> records = new ConcurrentHashMap<>();
    private final Thread poller;
    private volatile boolean running = true;

    public TopicRecorder(String bootstrap, Collection<String> topics) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            records.put(topic, new CopyOnWriteArrayList<>());
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        poller = new Thread(() -> {
            try (consumer) {
                while (running) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(50))) {
                        records.get(record.topic()).add(record);
                    }
                }
            }
        }, "topic-recorder");
        poller.setDaemon(true);
        poller.start();
    }

    public List<ConsumerRecord<String, String>> records(String topic, Predicate<ConsumerRecord<String, String>> filter) {
        return records.get(topic).stream().filter(filter).toList();
    }

    /** Waits for {@code count} matching records and returns them. */
    public List<ConsumerRecord<String, String>> await(String topic, int count, Duration timeout,
            Predicate<ConsumerRecord<String, String>> filter) {
        return Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20))
                .until(() -> records(topic, filter), found -> found.size() >= count);
    }

    public ConsumerRecord<String, String> awaitOne(String topic, Duration timeout,
            Predicate<ConsumerRecord<String, String>> filter) {
        return await(topic, 1, timeout, filter).get(0);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        poller.join(5_000);
    }
}
