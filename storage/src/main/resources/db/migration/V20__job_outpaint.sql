-- Outpainting ("zoom out"): an image-to-image job whose upload is placed on a larger canvas with these margins
-- ("left,top,right,bottom" in the upload's pixels); the margins are drawn, the upload's area kept. Null otherwise.
alter table jobs add column outpaint text;
