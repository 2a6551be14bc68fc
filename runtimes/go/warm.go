// Imported only to warm the build cache of the go runtime image.
package main

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/big"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

var _ = []any{bufio.NewReader, bytes.NewBuffer, heap.Init, json.Marshal, errors.New, fmt.Println, io.EOF,
	maps.Keys[map[int]int], math.Abs, big.NewInt, os.Exit, regexp.MustCompile, slices.Sort[[]int], sort.Ints,
	strconv.Itoa, strings.Split, sync.NewCond, time.Now, unicode.IsLetter}

func main() {}
