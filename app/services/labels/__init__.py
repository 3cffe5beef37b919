"""Labels to print for a go-live: locations, badge cards, GS1 relabels and two-bin cards.

One module per kind builds a `Label` (what it says and which codes it carries); `symbols`
encodes the codes (libzint, through zxing-cpp's writer), `layout` places a label on a piece
of paper, and `png`, `zpl` and `pdf` turn the placed label into an image, a Zebra printer's
job or sheets for an office printer.
"""
