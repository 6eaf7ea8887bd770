;; Loops of the wasm training kernels that JavaScript runs several times slower, with 128-bit SIMD, in the
;; memory of tfjs's wasm backend (arguments are byte offsets into it). scripts/assemble-wasm.mjs turns this
;; into simd-loops-wasm.ts, in two builds: this one for tfjs's single-threaded binary, and one whose memory
;; is `shared` for the threaded binary (wasm links a memory only as declared).
(module
  (import "tfjs" "memory" (memory 1))
  ;; Transposes a [rows, cols] matrix of 32-bit values at $from, its rows $fromRow bytes apart, into
  ;; [cols, rows] at $to, rows $toRow bytes apart (not overlapping it), in 4x4 blocks, 64 columns at a time
  ;; so that the output rows being filled stay in cache.
  (func (export "transpose") (param $from i32) (param $to i32) (param $rows i32) (param $cols i32) (param $fromRow i32) (param $toRow i32)
    (local $r i32) (local $c i32) (local $c0 i32) (local $c1 i32) (local $rows4 i32) (local $cols4 i32)
    (local $in i32) (local $out i32)
    (local $row0 v128) (local $row1 v128) (local $row2 v128) (local $row3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rows4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $cols4 (i32.and (local.get $cols) (i32.const -4)))
    (local.set $c0 (i32.const 0))
    (block $blocksDone
      (loop $blockLoop
        (br_if $blocksDone (i32.ge_u (local.get $c0) (local.get $cols4)))
        (local.set $c1 (select (i32.add (local.get $c0) (i32.const 64)) (local.get $cols4) (i32.lt_u (i32.add (local.get $c0) (i32.const 64)) (local.get $cols4))))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows4)))
        (local.set $c (local.get $c0))
        (block $colsDone
          (loop $colLoop
            (br_if $colsDone (i32.ge_u (local.get $c) (local.get $c1)))
            (local.set $in (i32.add (local.get $from) (i32.add (i32.mul (local.get $r) (local.get $fromRow)) (i32.shl (local.get $c) (i32.const 2)))))
            (local.set $row0 (v128.load (local.get $in)))
            (local.set $row1 (v128.load (i32.add (local.get $in) (local.get $fromRow))))
            (local.set $row2 (v128.load (i32.add (local.get $in) (i32.shl (local.get $fromRow) (i32.const 1)))))
            (local.set $row3 (v128.load (i32.add (local.get $in) (i32.mul (local.get $fromRow) (i32.const 3)))))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $row0) (local.get $row1)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $row0) (local.get $row1)))
            (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $row2) (local.get $row3)))
            (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $row2) (local.get $row3)))
            (local.set $out (i32.add (local.get $to) (i32.add (i32.mul (local.get $c) (local.get $toRow)) (i32.shl (local.get $r) (i32.const 2)))))
            (v128.store (local.get $out) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
            (v128.store (i32.add (local.get $out) (local.get $toRow)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
            (v128.store (i32.add (local.get $out) (i32.shl (local.get $toRow) (i32.const 1))) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
            (v128.store (i32.add (local.get $out) (i32.mul (local.get $toRow) (i32.const 3))) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $colLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rowLoop)))
        (local.set $c0 (local.get $c1))
        (br $blockLoop)))
    ;; the last cols % 4 columns of the block rows, then the last rows % 4 rows whole
    (call $scalar (local.get $from) (local.get $to) (local.get $cols) (local.get $fromRow) (local.get $toRow) (i32.const 0) (local.get $rows4) (local.get $cols4))
    (call $scalar (local.get $from) (local.get $to) (local.get $cols) (local.get $fromRow) (local.get $toRow) (local.get $rows4) (local.get $rows) (i32.const 0)))
  ;; The gradient of 2x2 average pooling at stride 2 over an input of exactly twice the output's height and
  ;; width, channels last ($channels >= 4): each window's four inputs get a quarter of its dy (0 + dy / 4,
  ;; as the cpu backend adds it, so -0 becomes +0), four channels at a time (the last four overlapping the
  ;; ones before when $channels is not a multiple of 4). The windows tile the input, so every dx is written.
  (func (export "avgPoolHalvingGrad") (param $dy i32) (param $dx i32) (param $rows i32) (param $outWidth i32) (param $channels i32)
    (local $r i32) (local $ox i32) (local $c i32) (local $at i32) (local $t0 i32) (local $t2 i32)
    (local $pixelBytes i32) (local $rowBytes i32) (local $lastC i32) (local $g v128)
    (local.set $pixelBytes (i32.shl (local.get $channels) (i32.const 2)))
    (local.set $rowBytes (i32.mul (i32.shl (local.get $outWidth) (i32.const 1)) (local.get $pixelBytes)))
    (local.set $lastC (i32.sub (local.get $pixelBytes) (i32.const 16)))
    ;; the output's rows of every picture in turn: row $r's windows are input rows 2r and 2r + 1
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $ox (i32.const 0))
        (block $colsDone
          (loop $colLoop
            (br_if $colsDone (i32.ge_u (local.get $ox) (local.get $outWidth)))
            (local.set $t0
              (i32.add (local.get $dx)
                (i32.add (i32.mul (i32.shl (local.get $r) (i32.const 1)) (local.get $rowBytes))
                  (i32.mul (i32.shl (local.get $ox) (i32.const 1)) (local.get $pixelBytes)))))
            (local.set $t2 (i32.add (local.get $t0) (local.get $rowBytes)))
            (local.set $c (i32.const 0))
            (block $channelsDone
              (loop $channelLoop
                (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $pixelBytes)))
                (if (i32.gt_u (local.get $c) (local.get $lastC)) (then (local.set $c (local.get $lastC))))
                (local.set $g
                  (f32x4.add (f32x4.splat (f32.const 0))
                    (f32x4.mul (v128.load (i32.add (local.get $dy) (i32.add (local.get $at) (local.get $c)))) (f32x4.splat (f32.const 0.25)))))
                (v128.store (i32.add (local.get $t0) (local.get $c)) (local.get $g))
                (v128.store (i32.add (i32.add (local.get $t0) (local.get $pixelBytes)) (local.get $c)) (local.get $g))
                (v128.store (i32.add (local.get $t2) (local.get $c)) (local.get $g))
                (v128.store (i32.add (i32.add (local.get $t2) (local.get $pixelBytes)) (local.get $c)) (local.get $g))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $channelLoop)))
            (local.set $at (i32.add (local.get $at) (local.get $pixelBytes)))
            (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
            (br $colLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; The gradient of 2x2 max pooling at stride 2 from the top left, channels last ($channels >= 4): each
  ;; dy goes to the first largest of its window's four inputs and the other three get 0, four channels at
  ;; a time (the last four overlapping the ones before when $channels is not a multiple of 4). A window
  ;; that runs past the bottom or right edge reads its last row or column again; the taps are written
  ;; last to first, so that such a repeated tap, never larger, cannot overwrite the first one's dy.
  ;; Inputs that no window covers are left as they are.
  (func (export "maxPoolHalvingGrad") (param $x i32) (param $dy i32) (param $dx i32)
    (param $batch i32) (param $inHeight i32) (param $inWidth i32) (param $channels i32) (param $outHeight i32) (param $outWidth i32)
    (local $b i32) (local $oy i32) (local $ox i32) (local $c i32) (local $at i32)
    (local $t0 i32) (local $t1 i32) (local $t2 i32) (local $t3 i32) (local $down i32) (local $right i32)
    (local $pixelBytes i32) (local $rowBytes i32) (local $lastC i32)
    (local $v v128) (local $best v128) (local $which v128) (local $mask v128) (local $g v128)
    (local.set $pixelBytes (i32.shl (local.get $channels) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $inWidth) (local.get $pixelBytes)))
    (local.set $lastC (i32.sub (local.get $pixelBytes) (i32.const 16)))
    (local.set $at (i32.const 0))
    (local.set $b (i32.const 0))
    (block $batchDone
      (loop $batchLoop
        (br_if $batchDone (i32.ge_u (local.get $b) (local.get $batch)))
        (local.set $oy (i32.const 0))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (local.get $oy) (local.get $outHeight)))
            (local.set $down
              (select (local.get $rowBytes) (i32.const 0)
                (i32.lt_u (i32.add (i32.shl (local.get $oy) (i32.const 1)) (i32.const 1)) (local.get $inHeight))))
            (local.set $ox (i32.const 0))
            (block $colsDone
              (loop $colLoop
                (br_if $colsDone (i32.ge_u (local.get $ox) (local.get $outWidth)))
                (local.set $right
                  (select (local.get $pixelBytes) (i32.const 0)
                    (i32.lt_u (i32.add (i32.shl (local.get $ox) (i32.const 1)) (i32.const 1)) (local.get $inWidth))))
                (local.set $t0
                  (i32.mul (local.get $pixelBytes)
                    (i32.add
                      (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inHeight)) (i32.shl (local.get $oy) (i32.const 1))) (local.get $inWidth))
                      (i32.shl (local.get $ox) (i32.const 1)))))
                (local.set $t1 (i32.add (local.get $t0) (local.get $right)))
                (local.set $t2 (i32.add (local.get $t0) (local.get $down)))
                (local.set $t3 (i32.add (local.get $t2) (local.get $right)))
                (local.set $c (i32.const 0))
                (block $channelsDone
                  (loop $channelLoop
                    (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $pixelBytes)))
                    (if (i32.gt_u (local.get $c) (local.get $lastC)) (then (local.set $c (local.get $lastC))))
                    ;; $which: the tap each lane's dy goes to so far, -1 for none (no value above -Infinity).
                    (local.set $v (v128.load (i32.add (local.get $x) (i32.add (local.get $t0) (local.get $c)))))
                    (local.set $mask (f32x4.gt (local.get $v) (f32x4.splat (f32.const -inf))))
                    (local.set $best (v128.bitselect (local.get $v) (f32x4.splat (f32.const -inf)) (local.get $mask)))
                    (local.set $which (v128.not (local.get $mask)))
                    (local.set $v (v128.load (i32.add (local.get $x) (i32.add (local.get $t1) (local.get $c)))))
                    (local.set $mask (f32x4.gt (local.get $v) (local.get $best)))
                    (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $mask)))
                    (local.set $which (v128.bitselect (i32x4.splat (i32.const 1)) (local.get $which) (local.get $mask)))
                    (local.set $v (v128.load (i32.add (local.get $x) (i32.add (local.get $t2) (local.get $c)))))
                    (local.set $mask (f32x4.gt (local.get $v) (local.get $best)))
                    (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $mask)))
                    (local.set $which (v128.bitselect (i32x4.splat (i32.const 2)) (local.get $which) (local.get $mask)))
                    (local.set $v (v128.load (i32.add (local.get $x) (i32.add (local.get $t3) (local.get $c)))))
                    (local.set $which
                      (v128.bitselect (i32x4.splat (i32.const 3)) (local.get $which) (f32x4.gt (local.get $v) (local.get $best))))
                    (local.set $g (v128.load (i32.add (local.get $dy) (i32.add (local.get $at) (local.get $c)))))
                    (v128.store (i32.add (local.get $dx) (i32.add (local.get $t3) (local.get $c)))
                      (v128.and (local.get $g) (i32x4.eq (local.get $which) (i32x4.splat (i32.const 3)))))
                    (v128.store (i32.add (local.get $dx) (i32.add (local.get $t2) (local.get $c)))
                      (v128.and (local.get $g) (i32x4.eq (local.get $which) (i32x4.splat (i32.const 2)))))
                    (v128.store (i32.add (local.get $dx) (i32.add (local.get $t1) (local.get $c)))
                      (v128.and (local.get $g) (i32x4.eq (local.get $which) (i32x4.splat (i32.const 1)))))
                    (v128.store (i32.add (local.get $dx) (i32.add (local.get $t0) (local.get $c)))
                      (v128.and (local.get $g) (i32x4.eq (local.get $which) (i32x4.splat (i32.const 0)))))
                    (local.set $c (i32.add (local.get $c) (i32.const 16)))
                    (br $channelLoop)))
                (local.set $at (i32.add (local.get $at) (local.get $pixelBytes)))
                (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                (br $colLoop)))
            (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
            (br $rowLoop)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $batchLoop))))
  ;; Batch norm's per-channel sums, channels last: over $length float32 values of u and of v, for each
  ;; channel c, sums[c] += the sum of (u - su[c]) and products[c] += the sum of (u - su[c]) (v - sv[c]), in
  ;; float64 (su, sv, sums and products are float64 arrays of $channels). Blocks of 256 pixels, four
  ;; channels at a time as two pairs of float64 lanes, each block's sums then added to the totals.
  (func (export "channelSums") (param $u i32) (param $su i32) (param $v i32) (param $sv i32) (param $sums i32) (param $products i32)
    (param $length i32) (param $channels i32)
    (local $start i32) (local $end i32) (local $c i32) (local $i i32) (local $blockBytes i32) (local $pixelBytes i32) (local $endBytes i32)
    (local $suLo v128) (local $suHi v128) (local $svLo v128) (local $svHi v128)
    (local $sLo v128) (local $sHi v128) (local $tLo v128) (local $tHi v128)
    (local $x v128) (local $dLo v128) (local $dHi v128) (local $y v128)
    (local $su1 f64) (local $sv1 f64) (local $s1 f64) (local $t1 f64) (local $d1 f64)
    (local.set $pixelBytes (i32.shl (local.get $channels) (i32.const 2)))
    (local.set $blockBytes (i32.shl (local.get $pixelBytes) (i32.const 8)))
    (local.set $endBytes (i32.shl (local.get $length) (i32.const 2)))
    (local.set $start (i32.const 0))
    (block $blocksDone
      (loop $blockLoop
        (br_if $blocksDone (i32.ge_u (local.get $start) (local.get $endBytes)))
        (local.set $end
          (select (i32.add (local.get $start) (local.get $blockBytes)) (local.get $endBytes)
            (i32.lt_u (i32.add (local.get $start) (local.get $blockBytes)) (local.get $endBytes))))
        (local.set $c (i32.const 0))
        (block $quadsDone
          (loop $quadLoop
            (br_if $quadsDone (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get $channels)))
            (local.set $suLo (v128.load (i32.add (local.get $su) (i32.shl (local.get $c) (i32.const 3)))))
            (local.set $suHi (v128.load offset=16 (i32.add (local.get $su) (i32.shl (local.get $c) (i32.const 3)))))
            (local.set $svLo (v128.load (i32.add (local.get $sv) (i32.shl (local.get $c) (i32.const 3)))))
            (local.set $svHi (v128.load offset=16 (i32.add (local.get $sv) (i32.shl (local.get $c) (i32.const 3)))))
            (local.set $sLo (v128.const f64x2 0 0))
            (local.set $sHi (v128.const f64x2 0 0))
            (local.set $tLo (v128.const f64x2 0 0))
            (local.set $tHi (v128.const f64x2 0 0))
            (local.set $i (i32.add (local.get $start) (i32.shl (local.get $c) (i32.const 2))))
            (block $pixelsDone
              (loop $pixelLoop
                (br_if $pixelsDone (i32.ge_u (local.get $i) (local.get $end)))
                (local.set $x (v128.load (i32.add (local.get $u) (local.get $i))))
                (local.set $dLo (f64x2.sub (f64x2.promote_low_f32x4 (local.get $x)) (local.get $suLo)))
                (local.set $dHi
                  (f64x2.sub
                    (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x) (local.get $x)))
                    (local.get $suHi)))
                (local.set $sLo (f64x2.add (local.get $sLo) (local.get $dLo)))
                (local.set $sHi (f64x2.add (local.get $sHi) (local.get $dHi)))
                (local.set $y (v128.load (i32.add (local.get $v) (local.get $i))))
                (local.set $tLo
                  (f64x2.add (local.get $tLo)
                    (f64x2.mul (local.get $dLo) (f64x2.sub (f64x2.promote_low_f32x4 (local.get $y)) (local.get $svLo)))))
                (local.set $tHi
                  (f64x2.add (local.get $tHi)
                    (f64x2.mul (local.get $dHi)
                      (f64x2.sub
                        (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $y) (local.get $y)))
                        (local.get $svHi)))))
                (local.set $i (i32.add (local.get $i) (local.get $pixelBytes)))
                (br $pixelLoop)))
            (call $addPairs (i32.add (local.get $sums) (i32.shl (local.get $c) (i32.const 3))) (local.get $sLo) (local.get $sHi))
            (call $addPairs (i32.add (local.get $products) (i32.shl (local.get $c) (i32.const 3))) (local.get $tLo) (local.get $tHi))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $quadLoop)))
        ;; the channels left over, one at a time
        (block $channelsDone
          (loop $channelLoop
            (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $channels)))
            (local.set $su1 (f64.load (i32.add (local.get $su) (i32.shl (local.get $c) (i32.const 3)))))
            (local.set $sv1 (f64.load (i32.add (local.get $sv) (i32.shl (local.get $c) (i32.const 3)))))
            (local.set $s1 (f64.const 0))
            (local.set $t1 (f64.const 0))
            (local.set $i (i32.add (local.get $start) (i32.shl (local.get $c) (i32.const 2))))
            (block $pixelsDone
              (loop $pixelLoop
                (br_if $pixelsDone (i32.ge_u (local.get $i) (local.get $end)))
                (local.set $d1 (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $u) (local.get $i)))) (local.get $su1)))
                (local.set $s1 (f64.add (local.get $s1) (local.get $d1)))
                (local.set $t1
                  (f64.add (local.get $t1)
                    (f64.mul (local.get $d1) (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $v) (local.get $i)))) (local.get $sv1)))))
                (local.set $i (i32.add (local.get $i) (local.get $pixelBytes)))
                (br $pixelLoop)))
            (f64.store (i32.add (local.get $sums) (i32.shl (local.get $c) (i32.const 3)))
              (f64.add (f64.load (i32.add (local.get $sums) (i32.shl (local.get $c) (i32.const 3)))) (local.get $s1)))
            (f64.store (i32.add (local.get $products) (i32.shl (local.get $c) (i32.const 3)))
              (f64.add (f64.load (i32.add (local.get $products) (i32.shl (local.get $c) (i32.const 3)))) (local.get $t1)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $channelLoop)))
        (local.set $start (local.get $end))
        (br $blockLoop))))

  ;; Sum over the leading axes of channels-last values (bias gradients, batch norm's means): for each of
  ;; $width columns of $rows float32 rows at $x, totals[j] += the sum of its values, in float64 ($totals a
  ;; float64 array of $width). As channelSums: blocks of 256 rows, four columns at a time in two pairs of
  ;; float64 lanes, each block's sums then added to the totals; the columns left over one at a time.
  (func (export "columnSums") (param $x i32) (param $totals i32) (param $rows i32) (param $width i32)
    (local $start i32) (local $end i32) (local $c i32) (local $i i32) (local $rowBytes i32) (local $blockBytes i32) (local $endBytes i32)
    (local $sLo v128) (local $sHi v128) (local $v v128) (local $s1 f64)
    (local.set $rowBytes (i32.shl (local.get $width) (i32.const 2)))
    (local.set $blockBytes (i32.shl (local.get $rowBytes) (i32.const 8)))
    (local.set $endBytes (i32.mul (local.get $rows) (local.get $rowBytes)))
    (block $blocksDone
      (loop $blockLoop
        (br_if $blocksDone (i32.ge_u (local.get $start) (local.get $endBytes)))
        (local.set $end
          (select (i32.add (local.get $start) (local.get $blockBytes)) (local.get $endBytes)
            (i32.lt_u (i32.add (local.get $start) (local.get $blockBytes)) (local.get $endBytes))))
        (local.set $c (i32.const 0))
        (block $quadsDone
          (loop $quadLoop
            (br_if $quadsDone (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get $width)))
            (local.set $sLo (v128.const f64x2 0 0))
            (local.set $sHi (v128.const f64x2 0 0))
            (local.set $i (i32.add (local.get $start) (i32.shl (local.get $c) (i32.const 2))))
            (block $rowsDone
              (loop $rowLoop
                (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $end)))
                (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
                (local.set $sLo (f64x2.add (local.get $sLo) (f64x2.promote_low_f32x4 (local.get $v))))
                (local.set $sHi
                  (f64x2.add (local.get $sHi)
                    (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v)))))
                (local.set $i (i32.add (local.get $i) (local.get $rowBytes)))
                (br $rowLoop)))
            (call $addPairs (i32.add (local.get $totals) (i32.shl (local.get $c) (i32.const 3))) (local.get $sLo) (local.get $sHi))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $quadLoop)))
        (block $columnsDone
          (loop $columnLoop
            (br_if $columnsDone (i32.ge_u (local.get $c) (local.get $width)))
            (local.set $s1 (f64.const 0))
            (local.set $i (i32.add (local.get $start) (i32.shl (local.get $c) (i32.const 2))))
            (block $rowsDone
              (loop $rowLoop
                (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $end)))
                (local.set $s1 (f64.add (local.get $s1) (f64.promote_f32 (f32.load (i32.add (local.get $x) (local.get $i))))))
                (local.set $i (i32.add (local.get $i) (local.get $rowBytes)))
                (br $rowLoop)))
            (f64.store (i32.add (local.get $totals) (i32.shl (local.get $c) (i32.const 3)))
              (f64.add (f64.load (i32.add (local.get $totals) (i32.shl (local.get $c) (i32.const 3)))) (local.get $s1)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $columnLoop)))
        (local.set $start (local.get $end))
        (br $blockLoop))))

  ;; Adds the four float64 values of $lo and $hi to the four at $at.
  (func $addPairs (param $at i32) (param $lo v128) (param $hi v128)
    (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (local.get $lo)))
    (v128.store offset=16 (local.get $at) (f64x2.add (v128.load offset=16 (local.get $at)) (local.get $hi))))

  ;; One step of SGD with momentum over $count float32 weights, as tfjs's MomentumOptimizer takes it
  ;; (accumulation' = momentum * accumulation + gradient, value' = negRate * accumulation' + value, each
  ;; product and sum rounded to float32 in that order, so the bits are the same), in one pass over the five
  ;; arrays where tfjs makes four, each reading two and writing one.
  (func (export "momentum") (param $value i32) (param $accumulation i32) (param $gradient i32)
    (param $newValue i32) (param $newAccumulation i32) (param $count i32) (param $momentum f32) (param $negRate f32)
    (local $at i32) (local $end i32) (local $quadEnd i32) (local $m v128) (local $c v128) (local $a v128) (local $b f32)
    (local.set $m (f32x4.splat (local.get $momentum)))
    (local.set $c (f32x4.splat (local.get $negRate)))
    (local.set $end (i32.shl (local.get $count) (i32.const 2)))
    (local.set $quadEnd (i32.and (local.get $end) (i32.const -16)))
    (local.set $at (i32.const 0))
    (block $done
      (loop $quadLoop
        (br_if $done (i32.ge_u (local.get $at) (local.get $quadEnd)))
        (local.set $a (f32x4.add (f32x4.mul (local.get $m) (v128.load (i32.add (local.get $accumulation) (local.get $at))))
          (v128.load (i32.add (local.get $gradient) (local.get $at)))))
        (v128.store (i32.add (local.get $newAccumulation) (local.get $at)) (local.get $a))
        (v128.store (i32.add (local.get $newValue) (local.get $at))
          (f32x4.add (f32x4.mul (local.get $c) (local.get $a)) (v128.load (i32.add (local.get $value) (local.get $at)))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $quadLoop)))
    ;; the last one to three, one at a time
    (block $tailDone
      (loop $tailLoop
        (br_if $tailDone (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $b (f32.add (f32.mul (local.get $momentum) (f32.load (i32.add (local.get $accumulation) (local.get $at))))
          (f32.load (i32.add (local.get $gradient) (local.get $at)))))
        (f32.store (i32.add (local.get $newAccumulation) (local.get $at)) (local.get $b))
        (f32.store (i32.add (local.get $newValue) (local.get $at))
          (f32.add (f32.mul (local.get $negRate) (local.get $b)) (f32.load (i32.add (local.get $value) (local.get $at)))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $tailLoop))))

  ;; One step of Adam over $count float32 weights, as tfjs's AdamOptimizer takes it:
  ;;   m' = m * beta1 + g * (1 - beta1),  v' = v * beta2 + (g * g) * (1 - beta2),
  ;;   value' = ((m' / (1 - beta1^t)) / (sqrt(v' / (1 - beta2^t)) + epsilon)) * -rate + value,
  ;; each product, quotient, root and sum rounded to float32 in that order, so the bits are the same, in
  ;; one pass over the seven arrays where tfjs makes fourteen.
  (func (export "adam") (param $value i32) (param $first i32) (param $second i32) (param $gradient i32)
    (param $newValue i32) (param $newFirst i32) (param $newSecond i32) (param $count i32)
    (param $beta1 f32) (param $oneMinusBeta1 f32) (param $beta2 f32) (param $oneMinusBeta2 f32)
    (param $correction1 f32) (param $correction2 f32) (param $epsilon f32) (param $negRate f32)
    (local $at i32) (local $end i32) (local $quadEnd i32)
    (local $b1 v128) (local $c1 v128) (local $b2 v128) (local $c2 v128) (local $d1 v128) (local $d2 v128) (local $e v128) (local $r v128)
    (local $g v128) (local $m v128) (local $v v128) (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $b1 (f32x4.splat (local.get $beta1)))
    (local.set $c1 (f32x4.splat (local.get $oneMinusBeta1)))
    (local.set $b2 (f32x4.splat (local.get $beta2)))
    (local.set $c2 (f32x4.splat (local.get $oneMinusBeta2)))
    (local.set $d1 (f32x4.splat (local.get $correction1)))
    (local.set $d2 (f32x4.splat (local.get $correction2)))
    (local.set $e (f32x4.splat (local.get $epsilon)))
    (local.set $r (f32x4.splat (local.get $negRate)))
    (local.set $end (i32.shl (local.get $count) (i32.const 2)))
    (local.set $quadEnd (i32.and (local.get $end) (i32.const -16)))
    (block $done
      (loop $quadLoop
        (br_if $done (i32.ge_u (local.get $at) (local.get $quadEnd)))
        (local.set $g (v128.load (i32.add (local.get $gradient) (local.get $at))))
        (local.set $m (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $first) (local.get $at))) (local.get $b1))
          (f32x4.mul (local.get $g) (local.get $c1))))
        (local.set $v (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $second) (local.get $at))) (local.get $b2))
          (f32x4.mul (f32x4.mul (local.get $g) (local.get $g)) (local.get $c2))))
        (v128.store (i32.add (local.get $newFirst) (local.get $at)) (local.get $m))
        (v128.store (i32.add (local.get $newSecond) (local.get $at)) (local.get $v))
        (v128.store (i32.add (local.get $newValue) (local.get $at))
          (f32x4.add
            (f32x4.mul
              (f32x4.div (f32x4.div (local.get $m) (local.get $d1))
                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $v) (local.get $d2))) (local.get $e)))
              (local.get $r))
            (v128.load (i32.add (local.get $value) (local.get $at)))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $quadLoop)))
    ;; the last one to three, one at a time
    (block $tailDone
      (loop $tailLoop
        (br_if $tailDone (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $gradient) (local.get $at))))
        (local.set $ms (f32.add (f32.mul (f32.load (i32.add (local.get $first) (local.get $at))) (local.get $beta1))
          (f32.mul (local.get $gs) (local.get $oneMinusBeta1))))
        (local.set $vs (f32.add (f32.mul (f32.load (i32.add (local.get $second) (local.get $at))) (local.get $beta2))
          (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $oneMinusBeta2))))
        (f32.store (i32.add (local.get $newFirst) (local.get $at)) (local.get $ms))
        (f32.store (i32.add (local.get $newSecond) (local.get $at)) (local.get $vs))
        (f32.store (i32.add (local.get $newValue) (local.get $at))
          (f32.add
            (f32.mul
              (f32.div (f32.div (local.get $ms) (local.get $correction1))
                (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $correction2))) (local.get $epsilon)))
              (local.get $negRate))
            (f32.load (i32.add (local.get $value) (local.get $at)))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $tailLoop))))

  ;; tanh's gradient over $count float32 values, (1 - y * y) * dy from its output y, as tfjs's gradient
  ;; computes it op by op (the same products and sums in the same order, so the same bits) in one pass
  ;; where tfjs makes three.
  (func (export "tanhGrad") (param $dy i32) (param $y i32) (param $dx i32) (param $count i32)
    (local $at i32) (local $end i32) (local $quadEnd i32) (local $v v128) (local $w f32)
    (local.set $end (i32.shl (local.get $count) (i32.const 2)))
    (local.set $quadEnd (i32.and (local.get $end) (i32.const -16)))
    (block $done
      (loop $quadLoop
        (br_if $done (i32.ge_u (local.get $at) (local.get $quadEnd)))
        (local.set $v (v128.load (i32.add (local.get $y) (local.get $at))))
        (v128.store (i32.add (local.get $dx) (local.get $at))
          (f32x4.mul (f32x4.sub (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $v) (local.get $v)))
            (v128.load (i32.add (local.get $dy) (local.get $at)))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $quadLoop)))
    (block $tailDone
      (loop $tailLoop
        (br_if $tailDone (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $w (f32.load (i32.add (local.get $y) (local.get $at))))
        (f32.store (i32.add (local.get $dx) (local.get $at))
          (f32.mul (f32.sub (f32.const 1) (f32.mul (local.get $w) (local.get $w))) (f32.load (i32.add (local.get $dy) (local.get $at)))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $tailLoop))))

  ;; ReLU's gradient over $count float32 values, dy * step(x) from its input x, as tfjs's gradient computes
  ;; it op by op (step(x): 1 where x > 0, x itself where x is NaN, else 0; then the same product, so the
  ;; same bits) in one pass where tfjs makes three.
  (func (export "reluGrad") (param $dy i32) (param $x i32) (param $dx i32) (param $count i32)
    (local $at i32) (local $end i32) (local $quadEnd i32) (local $v v128) (local $w f32)
    (local.set $end (i32.shl (local.get $count) (i32.const 2)))
    (local.set $quadEnd (i32.and (local.get $end) (i32.const -16)))
    (block $done
      (loop $quadLoop
        (br_if $done (i32.ge_u (local.get $at) (local.get $quadEnd)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $at))))
        (v128.store (i32.add (local.get $dx) (local.get $at))
          (f32x4.mul (v128.load (i32.add (local.get $dy) (local.get $at)))
            (v128.bitselect (local.get $v)
              (v128.and (f32x4.gt (local.get $v) (f32x4.splat (f32.const 0))) (f32x4.splat (f32.const 1)))
              (f32x4.ne (local.get $v) (local.get $v)))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $quadLoop)))
    (block $tailDone
      (loop $tailLoop
        (br_if $tailDone (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $w (f32.load (i32.add (local.get $x) (local.get $at))))
        (f32.store (i32.add (local.get $dx) (local.get $at))
          (f32.mul (f32.load (i32.add (local.get $dy) (local.get $at)))
            (select (local.get $w)
              (select (f32.const 1) (f32.const 0) (f32.gt (local.get $w) (f32.const 0)))
              (f32.ne (local.get $w) (local.get $w)))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $tailLoop))))

  ;; tanh of $count float32 values at $from into $to, four at a time (the last four overlapping the ones
  ;; before when $count is not a multiple of 4; fewer than four in all, lane by lane).
  (func (export "tanh") (param $from i32) (param $to i32) (param $count i32)
    (local $i i32) (local $v v128)
    (local.set $i (i32.const 0))
    (block $done
      (loop $quadLoop
        (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $count)))
        (v128.store (i32.add (local.get $to) (i32.shl (local.get $i) (i32.const 2)))
          (call $tanh4 (v128.load (i32.add (local.get $from) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $quadLoop)))
    (if (i32.eq (local.get $i) (local.get $count)) (then (return)))
    (if (i32.ge_u (local.get $count) (i32.const 4))
      (then
        (local.set $i (i32.sub (local.get $count) (i32.const 4)))
        (v128.store (i32.add (local.get $to) (i32.shl (local.get $i) (i32.const 2)))
          (call $tanh4 (v128.load (i32.add (local.get $from) (i32.shl (local.get $i) (i32.const 2))))))
        (return)))
    ;; one to three values
    (local.set $v (f32x4.replace_lane 0 (f32x4.splat (f32.const 0)) (f32.load (local.get $from))))
    (if (i32.gt_u (local.get $count) (i32.const 1))
      (then (local.set $v (f32x4.replace_lane 1 (local.get $v) (f32.load offset=4 (local.get $from))))))
    (if (i32.gt_u (local.get $count) (i32.const 2))
      (then (local.set $v (f32x4.replace_lane 2 (local.get $v) (f32.load offset=8 (local.get $from))))))
    (local.set $v (call $tanh4 (local.get $v)))
    (f32.store (local.get $to) (f32x4.extract_lane 0 (local.get $v)))
    (if (i32.gt_u (local.get $count) (i32.const 1))
      (then (f32.store offset=4 (local.get $to) (f32x4.extract_lane 1 (local.get $v)))))
    (if (i32.gt_u (local.get $count) (i32.const 2))
      (then (f32.store offset=8 (local.get $to) (f32x4.extract_lane 2 (local.get $v))))))

  ;; tanh by Eigen's rational approximation, in float32 as Eigen computes it: x clamped to +-9 (beyond
  ;; which tanh is +-1 in float32), and x itself below 0.0004. The clamp takes pmax and pmin, one
  ;; instruction each where min and max take several, with x first so that NaN stays NaN.
  (func $tanh4 (param $x v128) (result v128)
    (local $v v128) (local $v2 v128) (local $p v128) (local $q v128)
    (local.set $v (f32x4.pmin (f32x4.pmax (local.get $x) (f32x4.splat (f32.const -9))) (f32x4.splat (f32.const 9))))
    (local.set $v2 (f32x4.mul (local.get $v) (local.get $v)))
    (local.set $p (f32x4.splat (f32.const -2.76076847742355e-16)))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 2.00018790482477e-13)) (f32x4.mul (local.get $v2) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const -8.60467152213735e-11)) (f32x4.mul (local.get $v2) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 5.12229709037114e-8)) (f32x4.mul (local.get $v2) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 1.48572235717979e-5)) (f32x4.mul (local.get $v2) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 6.37261928875436e-4)) (f32x4.mul (local.get $v2) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 4.89352455891786e-3)) (f32x4.mul (local.get $v2) (local.get $p))))
    (local.set $p (f32x4.mul (local.get $v) (local.get $p)))
    (local.set $q (f32x4.splat (f32.const 1.19825839466702e-6)))
    (local.set $q (f32x4.add (f32x4.splat (f32.const 1.18534705686654e-4)) (f32x4.mul (local.get $v2) (local.get $q))))
    (local.set $q (f32x4.add (f32x4.splat (f32.const 2.268434632439e-3)) (f32x4.mul (local.get $v2) (local.get $q))))
    (local.set $q (f32x4.add (f32x4.splat (f32.const 4.89352518554385e-3)) (f32x4.mul (local.get $v2) (local.get $q))))
    (v128.bitselect (local.get $v) (f32x4.div (local.get $p) (local.get $q))
      (f32x4.lt (f32x4.abs (local.get $v)) (f32x4.splat (f32.const 4e-4)))))

  ;; Rows [$r0, $r1), columns [$c0, cols), one value at a time.
  (func $scalar (param $from i32) (param $to i32) (param $cols i32) (param $fromRow i32) (param $toRow i32) (param $r0 i32) (param $r1 i32) (param $c0 i32)
    (local $r i32) (local $c i32)
    (local.set $r (local.get $r0))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
        (local.set $c (local.get $c0))
        (block $rowDone
          (loop $colLoop
            (br_if $rowDone (i32.ge_u (local.get $c) (local.get $cols)))
            (i32.store
              (i32.add (local.get $to) (i32.add (i32.mul (local.get $c) (local.get $toRow)) (i32.shl (local.get $r) (i32.const 2))))
              (i32.load (i32.add (local.get $from) (i32.add (i32.mul (local.get $r) (local.get $fromRow)) (i32.shl (local.get $c) (i32.const 2))))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $colLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))
)
