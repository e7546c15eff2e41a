# Compile settings applied to the project's own targets only (third-party headers
# are included as SYSTEM by their imported targets, so -Werror never fires on them).

set(NEUROLENS_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wnull-dereference
    -Wimplicit-fallthrough)
if(NEUROLENS_WERROR)
  list(APPEND NEUROLENS_WARNINGS -Werror)
endif()

if(NEUROLENS_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Every project target calls this: warnings, QT_NO_KEYWORDS (LibTorch uses `slots`).
function(neurolens_target_defaults target)
  target_compile_options(${target} PRIVATE ${NEUROLENS_WARNINGS})
  target_compile_definitions(${target} PRIVATE QT_NO_KEYWORDS)
endfunction()
