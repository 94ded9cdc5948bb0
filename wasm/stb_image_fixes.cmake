# leafcheck_patch_stb_image(OUT_DIR) writes OUT_DIR/stb_image.h: Debian's stb_image 2.27 with the
# bitstream bounds checks that upstream added in 2.28-2.30.
#
# Why: Debian 12 ships stb_image 2.27, whose JPEG Huffman decoder lets its bit count go negative on a
# garbled scan and then shifts by 32 or more, and whose DC predictor can overflow an int: undefined
# behaviour that the fuzzer (tools/fuzz) finds in a photo that is only damaged. The checks below
# make such a file decode to zeros or fail with stb_image's own "Corrupt JPEG" reason, which
# decode_image turns into "garbled JPEG image". Each replacement must match the expected number of
# times, so a different stb_image stops the configure step instead of building an unchecked decoder.
# Replaces OLD by NEW in the variable named VAR, which must hold OLD exactly EXPECTED times.
function(_leafcheck_stb_fix var expected old new)
  string(LENGTH "${${var}}" before_length)
  string(REPLACE "${old}" "" without "${${var}}")
  string(LENGTH "${without}" without_length)
  string(LENGTH "${old}" old_length)
  math(EXPR count "(${before_length} - ${without_length}) / ${old_length}")
  if(NOT count EQUAL expected)
    message(FATAL_ERROR "stb_image fix: expected ${expected} of\n${old}\nfound ${count}")
  endif()
  string(REPLACE "${old}" "${new}" result "${${var}}")
  set(${var} "${result}" PARENT_SCOPE)
endfunction()

function(leafcheck_patch_stb_image out_dir)
  set(source /usr/include/stb/stb_image.h)
  if(NOT EXISTS ${source})
    message(FATAL_ERROR "${source} is missing: install libstb-dev (tools/install-deps.sh does)")
  endif()
  file(READ ${source} text)
  set(version_line "stb_image - v2.27")
  string(FIND "${text}" "${version_line}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${source} is not stb_image 2.27; check wasm/stb_image_fixes.cmake against it")
  endif()

  # stbi__extend_receive and stbi__jpeg_get_bits: a marker stopped the refill, so fewer bits than
  # asked for are left. Upstream 2.28 returns zeros there.
  _leafcheck_stb_fix(text 2 [[   if (j->code_bits < n) stbi__grow_buffer_unsafe(j);
]] [[   if (j->code_bits < n) stbi__grow_buffer_unsafe(j);
   if (j->code_bits < n) return 0;
]])
  _leafcheck_stb_fix(text 1 [[   if (j->code_bits < 1) stbi__grow_buffer_unsafe(j);
]] [[   if (j->code_bits < 1) stbi__grow_buffer_unsafe(j);
   if (j->code_bits < 1) return 0;
]])
  # The fast AC path of baseline and progressive blocks: a code longer than the bits left.
  _leafcheck_stb_fix(text 2 [[s = r & 15; // combined length
]] [[s = r & 15; // combined length
            if (s > j->code_bits) return stbi__err("bad huffman code", "Corrupt JPEG");
]])
  # DC prediction: the running sum and its scaling must stay in range (upstream: stbi__addints_valid,
  # stbi__mul2shorts_valid).
  _leafcheck_stb_fix(text 1 [[// decode one 64-entry block--
]] [[static int stbi__dc_sum_valid(int a, int b)
{
   long long sum = (long long) a + b;
   return sum >= INT_MIN && sum <= INT_MAX;
}

static int stbi__dc_product_valid(int a, int b)
{
   long long product = (long long) a * b;
   return product >= SHRT_MIN && product <= SHRT_MAX;
}

// decode one 64-entry block--
]])
  _leafcheck_stb_fix(text 2 [[dc = j->img_comp[b].dc_pred + diff;]]
    [[if (!stbi__dc_sum_valid(j->img_comp[b].dc_pred, diff)) return stbi__err("bad delta", "Corrupt JPEG"); dc = j->img_comp[b].dc_pred + diff;]])
  _leafcheck_stb_fix(text 1 [[data[0] = (short) (dc * dequant[0]);
]] [[if (!stbi__dc_product_valid(dc, dequant[0])) return stbi__err("bad delta", "Corrupt JPEG");
   data[0] = (short) (dc * dequant[0]);
]])
  _leafcheck_stb_fix(text 1 [[data[0] = (short) (dc * (1 << j->succ_low));
]] [[if (!stbi__dc_product_valid(dc, 1 << j->succ_low)) return stbi__err("bad delta", "Corrupt JPEG");
      data[0] = (short) (dc * (1 << j->succ_low));
]])

  # Copied only when it changed, so a reconfigure does not rebuild the decoder.
  file(MAKE_DIRECTORY ${out_dir})
  set(staged ${CMAKE_CURRENT_BINARY_DIR}/CMakeFiles/stb_image.h)
  file(WRITE ${staged} "${text}")
  file(COPY_FILE ${staged} ${out_dir}/stb_image.h ONLY_IF_DIFFERENT)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${source} ${CMAKE_CURRENT_FUNCTION_LIST_FILE})
endfunction()
