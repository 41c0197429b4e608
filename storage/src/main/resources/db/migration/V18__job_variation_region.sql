-- Vary (region): a variation that redraws only this rectangle of its parent sample ("x,y,width,height" in the
-- sample's pixels) and keeps every other pixel exactly; null redraws the whole sample.
alter table jobs add column region text;
