package dev.genq.storage.review;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.Generated;

/** One line of a review item's audit trail. Append-only (a database trigger refuses updates and deletes). */
@Entity
@Table(name = "review_events")
public class ReviewEvent extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "review_id")
    public UUID reviewId;

    @Column(insertable = false, updatable = false)
    @Generated
    public OffsetDateTime at;

    @Column(name = "actor_key_id")
    public UUID actorKeyId;

    @Column(name = "actor_name")
    public String actorName;

    public String action;

    public String note;

    public static ReviewEvent record(UUID reviewId, UUID actorKeyId, String actorName, String action, String note) {
        ReviewEvent e = new ReviewEvent();
        e.reviewId = reviewId;
        e.actorKeyId = actorKeyId;
        e.actorName = actorName;
        e.action = action;
        e.note = note;
        e.persist();
        return e;
    }

    public static List<ReviewEvent> of(UUID reviewId) {
        return list("reviewId = ?1 order by id", reviewId);
    }
}
