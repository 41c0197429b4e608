package dev.genq.storage.job;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** Stores the enums by their lower-case wire names, which the schema's check constraints list. */
final class StatusConverters {
    private StatusConverters() {
    }

    @Converter(autoApply = true)
    public static class JobStatusConverter implements AttributeConverter<JobStatus, String> {
        @Override
        public String convertToDatabaseColumn(JobStatus status) {
            return status == null ? null : status.wire();
        }

        @Override
        public JobStatus convertToEntityAttribute(String value) {
            return value == null ? null : JobStatus.fromWire(value);
        }
    }

    @Converter(autoApply = true)
    public static class JobModeConverter implements AttributeConverter<JobMode, String> {
        @Override
        public String convertToDatabaseColumn(JobMode mode) {
            return mode == null ? null : mode.wire();
        }

        @Override
        public JobMode convertToEntityAttribute(String value) {
            return value == null ? null : JobMode.fromWire(value);
        }
    }

    @Converter(autoApply = true)
    public static class PriorityConverter implements AttributeConverter<Priority, String> {
        @Override
        public String convertToDatabaseColumn(Priority priority) {
            return priority == null ? null : priority.wire();
        }

        @Override
        public Priority convertToEntityAttribute(String value) {
            return value == null ? null : Priority.fromWire(value);
        }
    }

    @Converter(autoApply = true)
    public static class SampleStatusConverter implements AttributeConverter<SampleStatus, String> {
        @Override
        public String convertToDatabaseColumn(SampleStatus status) {
            return status == null ? null : status.wire();
        }

        @Override
        public SampleStatus convertToEntityAttribute(String value) {
            return value == null ? null : SampleStatus.valueOf(value.toUpperCase(java.util.Locale.ROOT));
        }
    }
}
